import Foundation

/// The kinds of unified audit log export that `inboxwatch ingest` reads, told apart by their
/// first bytes rather than by file name, since exports get renamed.
public enum AuditExportFormat: Sendable, Hashable, CustomStringConvertible {
    /// A CSV from Purview audit search (`RecordId,CreationDate,RecordType,Operation,UserId,AuditData,…`)
    /// or from `Search-UnifiedAuditLog | Export-Csv` (`CreationDate,UserIds,Operations,AuditData`):
    /// each row's `AuditData` cell holds the record's JSON.
    case csv(CSVHeader)
    /// One audit record JSON object per line (`.jsonl`, `.ndjson`).
    case jsonLines
    /// JSON arrays of audit records, as the Management Activity API serves content blobs.
    case jsonArray

    /// The header of a CSV export.
    public struct CSVHeader: Sendable, Hashable {
        /// Column names as in the file, trimmed.
        public var columns: [String]
        /// Which column is `AuditData` (matched ignoring case), from 0.
        public var auditDataColumn: Int
        /// The header's row number: 1, or 2 after a `#TYPE` line from Windows PowerShell's `Export-Csv`.
        public var row: Int

        public init(columns: [String], auditDataColumn: Int, row: Int) {
            self.columns = columns
            self.auditDataColumn = auditDataColumn
            self.row = row
        }

        /// `the AuditData column (column 6)` for a message; rows may have more fields than the header.
        func name(ofColumn index: Int) -> String {
            index < columns.count ? "the \(columns[index]) column (column \(index + 1))" : "column \(index + 1)"
        }

        /// The column names, shortened for a message.
        var summary: String {
            let joined = columns.joined(separator: ",")
            return joined.count > 120 ? joined.prefix(120) + "…" : joined
        }
    }

    public var description: String {
        switch self {
        case .csv(let header): "CSV (AuditData in column \(header.auditDataColumn + 1) of \(header.columns.count))"
        case .jsonLines: "JSON lines"
        case .jsonArray: "JSON array"
        }
    }

    /// How many bytes ``detect(prefix:isWholeFile:path:)`` wants: enough for any real header line.
    public static let detectionWindow = 64 << 10

    /// Tells the format from the first bytes of a file (at least ``detectionWindow`` of them,
    /// unless the file is shorter: then `isWholeFile`), or says what was expected instead.
    public static func detect(prefix: [UInt8], isWholeFile: Bool, path: String) throws(IngestError)
        -> AuditExportFormat
    {
        try rejectForeignEncodings(prefix, path: path)
        var body = prefix[...]
        if body.starts(with: utf8BOM) { body = body.dropFirst(utf8BOM.count) }
        guard let first = body.firstIndex(where: { !AuditRecordInspector.isWhitespace($0) }) else {
            throw notAnExport(path, found: "an empty file")
        }
        switch body[first] {
        case UInt8(ascii: "{"):
            // Pretty-printers (jq, ConvertTo-Json, JSON.stringify with indent) put a lone `{` on the
            // first line; read as JSON lines, every line of such a file would be a broken record.
            let firstLine = body[first...].prefix { $0 != UInt8(ascii: "\n") }
            if firstLine.allSatisfy({ $0 == UInt8(ascii: "{") || AuditRecordInspector.isWhitespace($0) }),
                firstLine.count < body.count - first
            {
                throw IngestError(
                    code: .notAnExport,
                    message: "\(path) holds JSON spread over several lines; expected JSON lines (one audit record "
                        + "per line) or a JSON array of records. Convert it with: jq -c . \(path)",
                    path: path)
            }
            return .jsonLines
        case UInt8(ascii: "["):
            return .jsonArray
        default:
            return .csv(try csvHeader(Array(body), isWholeFile: isWholeFile, path: path))
        }
    }

    static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Recognizable non-UTF-8 files get a message that says what they are and what to do.
    private static func rejectForeignEncodings(_ prefix: [UInt8], path: String) throws(IngestError) {
        let encodings: [([UInt8], String)] = [
            ([0xFF, 0xFE, 0x00, 0x00], "UTF-32"), ([0x00, 0x00, 0xFE, 0xFF], "UTF-32"),
            ([0xFF, 0xFE], "UTF-16"), ([0xFE, 0xFF], "UTF-16"),
        ]
        for (mark, name) in encodings where prefix.starts(with: mark) {
            throw IngestError(
                code: .unsupportedEncoding,
                message: "\(path) is \(name) text"
                    + (name == "UTF-16" ? " (as PowerShell's Out-File and Export-Csv -Encoding Unicode write)" : "")
                    + "; expected UTF-8. Convert it with: iconv -f \(name) -t UTF-8 \(path)",
                path: path)
        }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw notAnExport(path, found: "a ZIP archive (an Excel .xlsx workbook?); save it as CSV UTF-8")
        }
        if prefix.starts(with: [0x1F, 0x8B]) {
            throw notAnExport(path, found: "gzip-compressed data; decompress it first")
        }
    }

    /// Finds the header row (after an optional `#TYPE` line) and its `AuditData` column.
    private static func csvHeader(_ bytes: [UInt8], isWholeFile: Bool, path: String) throws(IngestError)
        -> CSVHeader
    {
        var scanner = CSVScanner(maxRowBytes: max(bytes.count, 1))
        scanner.append(bytes)
        let lineBytes = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        let found = "header: " + Printable.quoted(String(String(decoding: lineBytes, as: UTF8.self).prefix(80)))
        // A complete first line must be UTF-8 text; one cut off by the window may end mid-character.
        let lineIsComplete = lineBytes.count < bytes.count
        guard !bytes.contains(0), !lineIsComplete || String(validating: lineBytes, as: UTF8.self) != nil else {
            throw notAnExport(path, found: "binary data, not text; " + found)
        }
        while let row = scanner.next(atEnd: isWholeFile) {
            if row.isBlank { continue }
            if row.fields.count == 1, row.raw.starts(with: Array("#TYPE".utf8)) { continue }
            let columns = row.fields.indices.map {
                row.text($0).trimmingCharacters(in: .whitespaces)
            }
            guard row.problem == nil, row.malformedField == nil,
                let auditData = columns.firstIndex(where: { $0.lowercased() == "auditdata" })
            else { throw notAnExport(path, found: found) }
            return CSVHeader(columns: columns, auditDataColumn: auditData, row: row.row)
        }
        throw notAnExport(path, found: found + " (no complete header line in the first \(bytes.count) bytes)")
    }

    static func notAnExport(_ path: String, found: String) -> IngestError {
        IngestError(
            code: .notAnExport,
            message: "\(path) is not a unified audit log export: expected a CSV whose header has an AuditData column "
                + "(as exported by Purview audit search or Search-UnifiedAuditLog | Export-Csv), JSON lines of "
                + "audit records, or a JSON array of them; found \(found)",
            path: path)
    }
}
