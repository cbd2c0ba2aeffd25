import ArgumentParser
import Collector
import Foundation
import Kafka
import Logging

/// `inboxwatch ingest FILE…`: replay an exported unified audit log through the pipeline.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Publish the records of exported unified audit logs to the raw audit topic.",
        discussion: """
            Accepts the CSV that Purview audit search or Search-UnifiedAuditLog | Export-Csv writes (its \
            AuditData column holds each record's JSON), JSON lines of raw records, or a JSON array of \
            records as the Management Activity API serves them. Each record is published as a collector \
            would publish it (ce_id = its Id), once per run; unusable rows go to the dead-letter topic \
            with their position and the reason. A file that is not such an export is refused before \
            anything is published.
            """)

    @Argument(help: "Export files (CSV, JSON lines or a JSON array).") var files: [String]
    @OptionGroup var kafka: KafkaOptions
    @Option(help: "The tenant the records belong to (default: each record's OrganizationId).")
    var tenant: String?
    @Option(help: "Records sent per acknowledged batch.") var batchSize: Int = 1000
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one export file") }
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size: use 1 to 100000") }
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.ingest")
        let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
        let ingest = AuditFileIngest(
            publisher: RecordPublisher(producer: producer, catalog: kafka.catalog), tenantId: tenant,
            batchSize: batchSize, logger: logger)
        let terminal = isatty(STDERR_FILENO) == 1
        var failure: (any Error)?
        for file in files {
            do {
                let summary = try await ingest.ingest(path: file) { status in
                    if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K\(file): \(status.line)".utf8)) }
                }
                if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                print(summary)
            } catch {
                if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                failure = failure ?? error
                FileHandle.standardError.write(Data("inboxwatch ingest: \(error.message)\n".utf8))
            }
        }
        try await producer.flush()
        await producer.close()
        if failure != nil { throw ExitCode(1) }
    }
}
