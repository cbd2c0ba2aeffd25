public import Events
import Foundation

/// Reads a unified audit log export one record at a time, for `inboxwatch ingest`.
///
/// The file is read in chunks (``Options/chunkSize``), so a multi-gigabyte export costs memory for
/// one chunk and the longest record, never for the whole file. The format is told from the first
/// bytes (``AuditExportFormat``); a file that is not an export is refused at once by `init`.
/// After that, `next()` throws only when reading the file fails: a broken record comes out as an
/// ``IngestedRecord`` with an ``IngestProblem``, and reading goes on.
///
/// Non-copyable because it owns a read position in an open file: a copy would share it and
/// each copy would skip the records the other read.
///
/// ```swift
/// var reader = try AuditExportReader(path: "export.csv")
/// while let record = try reader.next() { … }
/// ```
public struct AuditExportReader: ~Copyable, Sendable {
    /// How the file is read.
    public struct Options: Sendable, Hashable {
        /// Bytes per read. Tests use tiny chunks to put chunk boundaries everywhere.
        public var chunkSize: Int
        /// The longest CSV row, line or array element kept in memory; a longer one is reported as a
        /// problem by its start. Generous: records themselves are bounded by `limits`.
        public var maxRecordBytes: Int
        /// Bounds on each record's JSON (size, depth, string length): the values go to Kafka as is.
        public var limits: JSONLimits

        public init(chunkSize: Int = 1 << 20, maxRecordBytes: Int = 8 << 20, limits: JSONLimits = .standard) {
            self.chunkSize = max(1, chunkSize)
            self.maxRecordBytes = max(1, maxRecordBytes)
            self.limits = limits
        }
    }

    /// The file, as given.
    public let path: String
    public let format: AuditExportFormat
    /// The file's size when it is a regular file; nil for a pipe (`<(gunzip -c export.csv.gz)`).
    public let fileSize: Int64?
    /// Bytes handed to the parser so far, for progress.
    public private(set) var bytesRead: Int64 = 0

    private let handle: FileHandle
    private let chunkSize: Int
    private var parser: any RecordParser
    /// Bytes read to detect the format and not yet handed to the parser: they are handed over in
    /// `chunkSize` pieces like the rest, so chunk boundaries fall the same way from the first byte.
    private var pending: ArraySlice<UInt8>
    private var atEnd = false

    /// Opens `path` and tells its format.
    /// - Throws: `.unreadable` when it cannot be opened or read, `.notAnExport` or
    ///   `.unsupportedEncoding` when it is not an export this reader understands.
    public init(path: String, options: Options = Options()) throws(IngestError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw IngestError(code: .unreadable, message: "\(path) does not exist", path: path)
        }
        guard !isDirectory.boolValue else {
            throw IngestError(
                code: .unreadable, message: "\(path) is a directory; expected an audit log export file", path: path)
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw IngestError(code: .unreadable, message: "\(path) cannot be opened: \(error)", path: path)
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let isRegular = (attributes?[.type] as? FileAttributeType) == .typeRegular
        let size = isRegular ? (attributes?[.size] as? NSNumber)?.int64Value : nil

        // Read what detection needs (or the whole file, if shorter).
        var prefix: [UInt8] = []
        var endReached = false
        while prefix.count < AuditExportFormat.detectionWindow {
            let chunk = try Self.read(handle, upTo: max(options.chunkSize, 4096), path: path)
            if chunk.isEmpty {
                endReached = true
                break
            }
            prefix += chunk
        }
        let format = try AuditExportFormat.detect(prefix: prefix, isWholeFile: endReached, path: path)
        let bom = prefix.starts(with: AuditExportFormat.utf8BOM) ? AuditExportFormat.utf8BOM.count : 0
        let inspector = AuditRecordInspector(limits: options.limits)
        switch format {
        case .csv(let header):
            var scanner = CSVScanner(maxRowBytes: options.maxRecordBytes)
            scanner.expectedFieldCount = header.columns.count
            parser = CSVRecordParser(scanner: scanner, header: header, inspector: inspector, path: path)
        case .jsonLines:
            parser = JSONLinesRecordParser(
                splitter: LineSplitter(maxLineBytes: options.maxRecordBytes), inspector: inspector, path: path)
        case .jsonArray:
            parser = JSONArrayRecordParser(
                splitter: ArrayElementSplitter(maxElementBytes: options.maxRecordBytes), inspector: inspector,
                path: path)
        }
        self.path = path
        self.format = format
        self.fileSize = size
        self.handle = handle
        self.chunkSize = options.chunkSize
        self.pending = prefix[bom...]
        self.atEnd = endReached
        self.bytesRead = Int64(bom)
    }

    /// The next record, or nil at the end of the file.
    /// - Throws: `.unreadable` when reading the file fails; never for a bad record.
    public mutating func next() throws(IngestError) -> IngestedRecord? {
        while true {
            let noMoreInput = atEnd && pending.isEmpty
            if let record = parser.next(atEnd: noMoreInput) { return record }
            if noMoreInput { return nil }
            if pending.isEmpty {
                let chunk = try Self.read(handle, upTo: chunkSize, path: path)
                if chunk.isEmpty {
                    atEnd = true
                    continue
                }
                pending = chunk[...]
            }
            let piece = pending.prefix(chunkSize)
            pending = pending.dropFirst(piece.count)
            bytesRead += Int64(piece.count)
            parser.append(piece)
        }
    }

    private static func read(_ handle: FileHandle, upTo count: Int, path: String) throws(IngestError) -> [UInt8] {
        do {
            guard let data = try handle.read(upToCount: count) else { return [] }
            return [UInt8](data)
        } catch {
            throw IngestError(code: .unreadable, message: "reading \(path) failed: \(error)", path: path)
        }
    }
}
