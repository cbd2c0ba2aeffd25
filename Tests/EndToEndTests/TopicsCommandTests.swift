import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import Testing

/// `inboxwatch topics create` as an operator runs it, against the embedded broker (librdkafka's
/// mock cluster, which answers metadata but not CreateTopics).
@Suite("inboxwatch topics create")
struct TopicsCommandTests {
    struct Run {
        var status: Int32
        var output: String
    }

    func run(_ arguments: [String]) async throws -> Run {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("topics-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try ChildProcess(
            InboxwatchBinary.locate(), ["topics", "create"] + arguments + ["--log-level", "critical"],
            environment: [:], log: log)
        let status = await child.waitForExit()
        return Run(status: status, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test("on a broker that already holds the catalog it asks for nothing and reports every topic as there")
    func existingCatalogIsLeftAsItIs() async throws {
        let catalog = TopicCatalog()
        let broker = try EmbeddedKafka(topics: catalog.specs)
        let result = try await run(["--bootstrap-servers", broker.bootstrapServers])
        #expect(result.status == 0, "\(result.output)")
        for spec in catalog.specs {
            #expect(result.output.contains("\(spec.name)\t\(spec.partitions) partitions\talready existed"))
        }
    }

    @Test("keyed topics with another partition count are refused, naming the topic and the fix")
    func partitionMismatchIsRefused() async throws {
        let broker = try EmbeddedKafka(topics: TopicCatalog(keyedPartitions: 4).specs)
        let result = try await run(["--bootstrap-servers", broker.bootstrapServers, "--partitions", "6"])
        #expect(result.status != 0)
        #expect(result.output.contains("inboxwatch.raw.audit exists with 4 partitions, not 6"), "\(result.output)")
        #expect(result.output.contains("run with --partitions 4"))
    }

    @Test("a broker without the admin API is named as such, with the commands that create the missing topics")
    func brokerWithoutAdminAPIIsSaidClearly() async throws {
        let broker = try EmbeddedKafka()
        let result = try await run(["--bootstrap-servers", broker.bootstrapServers, "--timeout", "2s"])
        #expect(result.status != 0)
        #expect(result.output.contains("did not carry out CreateTopics"), "\(result.output)")
        #expect(result.output.contains("without the Kafka admin API"))
        #expect(
            result.output.contains(
                "kafka-topics.sh --create --topic inboxwatch.raw.audit --partitions 6 --replication-factor 3 "
                    + "--config cleanup.policy=delete"))
        #expect(
            result.output.contains(
                "--topic inboxwatch.correlator.state --partitions 6 --replication-factor 3 --config cleanup.policy=compact"
            ))
    }
}
