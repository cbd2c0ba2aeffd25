import Collector
import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import Logging
import Testing

extension CollectorIntegration {
    @Suite("inboxwatch ingest: replaying an exported audit log", .serialized)
    struct FileIngestTests {
        let tenant = "7f3b2c1a-4d5e-4f60-9a8b-2c1d0e9f8a7b"

        /// A CSV as Purview's audit search export writes it: the record JSON in a quoted AuditData cell.
        func purviewCSV(records: [String], extraRows: [String] = []) -> String {
            var lines = [
                "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames"
            ]
            for (index, json) in records.enumerated() {
                let quoted = "\"" + json.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                lines.append(
                    "id-\(index),2026-11-20T08:15:00.0000000Z,ExchangeAdmin,New-InboxRule,alice@contoso.com,\(quoted),,"
                )
            }
            return (lines + extraRows).joined(separator: "\r\n") + "\r\n"
        }

        func record(_ index: Int) -> String {
            let id = String(format: "0f1e2d3c-4b5a-4968-8776-%012d", index)
            return
                #"{"Id":"\#(id)","RecordType":1,"CreationTime":"2026-11-20T08:\#(String(format: "%02d", index % 60)):00","Operation":"New-InboxRule","OrganizationId":"\#(tenant)","UserType":0,"UserId":"user\#(index)@contoso.com","Workload":"Exchange","Parameters":[{"Name":"ForwardTo","Value":"x@evil.example, \"quoted\""}]}"#
        }

        @Test(
            "every record of a Purview CSV export is published once; a repeated row is skipped, a broken one dead-lettered"
        )
        func csvExportPublishedOnce() async throws {
            let broker = try EmbeddedKafka(topics: TopicCatalog(keyedPartitions: 4).specs, logger: quietLogger)
            let catalog = TopicCatalog(keyedPartitions: 4)
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
            let records = (0..<120).map(record)
            let brokenRow = "id-x,2026-11-20T08:15:00Z,ExchangeAdmin,Set-Mailbox,bob@contoso.com,\"{\"\"Id\"\": \",,"
            let csv = purviewCSV(records: records + [records[7]], extraRows: [brokenRow])
            let file = try temporaryFile("export.csv", csv)
            defer { try? FileManager.default.removeItem(at: file) }

            let ingest = AuditFileIngest(
                publisher: RecordPublisher(producer: producer, catalog: catalog), tenantId: nil, batchSize: 50,
                logger: quietLogger)
            let summary = try await ingest.ingest(path: file.path)
            #expect(summary.published == 120)
            #expect(summary.duplicatesSkipped == 1)
            #expect(summary.deadLettered == 1)

            let kafka = KafkaConfiguration(
                bootstrapServers: broker.bootstrapServers,
                properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
            let raw = try await TopicReader.readAll(catalog.rawAudit, kafka: kafka)
            let ids = raw.compactMap(\.ceID)
            #expect(ids.count == 120)
            #expect(Set(ids).count == 120)
            let decoder = BoundedJSONDecoder()
            let envelope = try decoder.decodeValue(RawAuditEnvelope.self, from: raw[0].value ?? [])
            #expect(envelope.tenantId == tenant)
            #expect(envelope.contentType == "Audit.Exchange")
            #expect(raw.allSatisfy { $0.keyString?.hasPrefix("\(tenant)/user") == true })

            let dead = try await TopicReader.readAll(catalog.deadLetter, kafka: kafka)
            #expect(dead.count == 1)
            let letter = try decoder.decodeValue(DeadLetterRecord.self, from: dead[0].value ?? [])
            #expect(letter.stage == "ingest")
            #expect(letter.reason.contains("row 123"), "the reason names the row: \(letter.reason)")
            await producer.close()
        }

        @Test("`inboxwatch ingest` refuses a file that is not an export, says what it expected, and publishes nothing")
        func nonExportRefused() async throws {
            let binary = try InboxwatchBinary.locate()
            let catalog = TopicCatalog(keyedPartitions: 4)
            let broker = try EmbeddedKafka(topics: catalog.specs, logger: quietLogger)
            let notes = try temporaryFile("notes.csv", "Date,Subject,Owner\r\n2026-11-20,Quarterly review,alice\r\n")
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID().uuidString).log")
            defer {
                try? FileManager.default.removeItem(at: notes)
                try? FileManager.default.removeItem(at: log)
            }
            let child = try ChildProcess(
                binary, ["ingest", notes.path, "--bootstrap-servers", broker.bootstrapServers], environment: [:],
                log: log)
            let status = await child.waitForExit()
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(status != 0)
            #expect(output.contains("AuditData"), "the message says what was expected: \(output)")
            #expect(output.contains(notes.lastPathComponent))
            let kafka = KafkaConfiguration(
                bootstrapServers: broker.bootstrapServers,
                properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
            #expect(try await TopicReader.readAll(catalog.rawAudit, kafka: kafka).isEmpty)
        }

        @Test("`inboxwatch ingest` publishes a JSON-lines export and prints what it did")
        func jsonLinesThroughTheCommand() async throws {
            let binary = try InboxwatchBinary.locate()
            let catalog = TopicCatalog(keyedPartitions: 4)
            let broker = try EmbeddedKafka(topics: catalog.specs, logger: quietLogger)
            let lines = (0..<30).map(record).joined(separator: "\n") + "\n"
            let file = try temporaryFile("records.jsonl", lines)
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID().uuidString).log")
            defer {
                try? FileManager.default.removeItem(at: file)
                try? FileManager.default.removeItem(at: log)
            }
            let child = try ChildProcess(
                binary, ["ingest", file.path, "--bootstrap-servers", broker.bootstrapServers, "--tenant", tenant],
                environment: [:], log: log)
            #expect(await child.waitForExit() == 0)
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(output.contains("30 records published"), "\(output)")
            let kafka = KafkaConfiguration(
                bootstrapServers: broker.bootstrapServers,
                properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
            #expect(Set(try await TopicReader.readAll(catalog.rawAudit, kafka: kafka).compactMap(\.ceID)).count == 30)
        }

        var quietLogger: Logger {
            var logger = Logger(label: "test.ingest")
            logger.logLevel = .error
            return logger
        }

        func temporaryFile(_ name: String, _ contents: String) throws -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)")
            try Data(contents.utf8).write(to: url)
            return url
        }
    }
}
