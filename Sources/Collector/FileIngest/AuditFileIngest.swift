import Events
import Foundation
import Kafka
public import Logging

/// Replays an exported unified audit log (a Purview / `Search-UnifiedAuditLog` CSV, JSON lines,
/// or a JSON array of records) into `inboxwatch.raw.audit`, for `inboxwatch ingest`.
///
/// Records are published exactly as a collector would publish them (same key, envelope and
/// `ce_id` = the record's `Id`), so the correlator cannot tell a replay from live collection and
/// drops a record it already has. Within one run a record id is published once however often
/// the export repeats it; a row that cannot be used goes to the dead-letter topic with its file
/// position and reason. Records are sent in batches and each batch is acknowledged before the
/// next is read, so memory stays bounded and an interrupted replay can simply be run again.
public struct AuditFileIngest: Sendable {
    public let publisher: RecordPublisher
    /// The tenant the records belong to; nil takes each record's own `OrganizationId`.
    public let tenantId: String?
    public let batchSize: Int
    public let logger: Logger

    public init(publisher: RecordPublisher, tenantId: String?, batchSize: Int = 1000, logger: Logger) {
        self.publisher = publisher
        self.tenantId = tenantId
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    /// What one file gave.
    public struct Summary: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var format: String
        public var published = 0
        public var duplicatesSkipped = 0
        public var deadLettered = 0

        public var description: String {
            "\(path) (\(format)): \(published) records published, \(duplicatesSkipped) duplicates skipped, "
                + "\(deadLettered) sent to the dead-letter topic"
        }
    }

    /// Publishes every record of the file at `path`.
    /// - Throws: `.invalidInput` when the file is not an export (the message says what was
    ///   expected), `.publishFailed` when Kafka did not acknowledge a batch.
    public func ingest(
        path: String, readerOptions: AuditExportReader.Options = .init(),
        progress: @Sendable (IngestProgress<ContinuousClock.Instant>) -> Void = { _ in }
    ) async throws(CollectorError) -> Summary {
        var reader: AuditExportReader
        do {
            reader = try AuditExportReader(path: path, options: readerOptions)
        } catch {
            throw CollectorError(code: .invalidInput, message: error.message, isRetriable: false)
        }
        let clock = ContinuousClock()
        var status = IngestProgress(totalBytes: reader.fileSize, startedAt: clock.now)
        var summary = Summary(path: path, format: "\(reader.format)")
        let parser = AuditRecordParser()
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let source = "/inboxwatch/ingest/\(fileName)"
        var seen = Set<String>()
        var batch: [KafkaProducerRecord] = []
        batch.reserveCapacity(batchSize)
        let collectedAt = Date()
        while true {
            let next: IngestedRecord?
            do {
                next = try reader.next()
            } catch {
                throw CollectorError(code: .invalidInput, message: error.message, isRetriable: false)
            }
            guard let record = next else { break }
            status.count(record, bytesRead: reader.bytesRead, at: clock.now)
            switch record.outcome {
            case .problem(let problem):
                // The reader's reason already names the file position.
                batch.append(try deadLetter(record, reason: problem.reason, errorClass: "\(problem.code)", path: path))
                summary.deadLettered += 1
            case .record(let fields):
                let parsed: AuditRecordParser.ParsedRecord
                do throws(AuditRecordParser.Problem) {
                    parsed = try parser.parse(record.bytes, expectedTenant: tenantId)
                } catch {
                    batch.append(
                        try deadLetter(
                            record, reason: "\(record.location): \(error.reason)", errorClass: error.errorClass,
                            path: path))
                    summary.deadLettered += 1
                    continue
                }
                guard seen.insert(EventID.raw(parsed.recordId)).inserted else {
                    summary.duplicatesSkipped += 1
                    continue
                }
                batch.append(
                    try publisher.auditRecord(
                        parsed, contentType: Self.contentType(workload: fields.workload), contentId: "file:\(fileName)",
                        source: source, collectedAt: collectedAt))
                summary.published += 1
            }
            if batch.count >= batchSize {
                try await publisher.publish(batch)
                batch.removeAll(keepingCapacity: true)
                progress(status)
            }
        }
        try await publisher.publish(batch)
        status.update(bytesRead: reader.bytesRead, at: clock.now)
        progress(status)
        logger.info("file ingested", metadata: ["summary": "\(summary)"])
        return summary
    }

    private func deadLetter(_ record: IngestedRecord, reason: String, errorClass: String, path: String)
        throws(CollectorError) -> KafkaProducerRecord
    {
        let letter = DeadLetterRecord(
            reason: reason, errorClass: errorClass, stage: "ingest", tenantId: tenantId,
            sourceURI: "file://\(path)#\(record.location)", originalKey: nil, originalValue: record.bytes,
            failedAt: Date())
        return try publisher.deadLetter(letter, key: "\(tenantId?.keyNormalized ?? "unknown")/ingest")
    }

    /// The Management API content type a record would have come in, from its `Workload`.
    static func contentType(workload: String?) -> String {
        switch workload?.lowercased() {
        case "exchange": "Audit.Exchange"
        case "azureactivedirectory": "Audit.AzureActiveDirectory"
        case "sharepoint", "onedrive": "Audit.SharePoint"
        default: "Audit.General"
        }
    }
}
