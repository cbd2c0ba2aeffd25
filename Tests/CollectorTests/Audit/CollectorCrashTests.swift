import Collector
import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import Logging
import TenantSimulator
import Testing

extension CollectorIntegration {
    /// The collector as a separate process (`inboxwatch collect audit`), killed with SIGKILL at
    /// random moments while it publishes, and restarted each time. The broker and the simulator
    /// live in this process, so only the collector dies.
    @Suite("Audit collector killed and restarted", .serialized)
    struct CollectorCrashTests {
        static let kills = 5
        static let blobCapacity = 25

        @Test(
            "killed with SIGKILL 5 times mid-run, the collector still delivers every record, with duplicates only from records in flight"
        )
        func everyRecordSurvivesKills() async throws {
            let binary = try InboxwatchBinary.locate()
            let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: 4)
            var quiet = Logger(label: "test.crash")
            quiet.logLevel = .error
            let broker = try EmbeddedKafka(topics: catalog.specs, logger: quiet)
            let now = Date()
            // Publication delays compressed 2000x (a day-late record is 43 s late), so the world is
            // published by the time the test checks, yet records keep arriving while it runs.
            let configuration = SimulatorConfiguration(
                seed: 5, scenarios: ["account-takeover", "mailbox-forwarding"],
                start: now.addingTimeInterval(-5 * 3600), duration: 5 * 3600, userCount: 160, backgroundRate: 4,
                publication: PublicationProfile(timeScale: 0.0005), malformedRecords: 3,
                blobCapacity: Self.blobCapacity)
            var faults = FaultPlan()
            faults.managementThrottleFraction = 0.25
            let tenant = await OwnThread.run { [faults] in
                SimulatedTenant(configuration: configuration, clock: .wall, faults: faults)
            }
            let server = try await RunningSimulatorServer.start(tenant: tenant, logger: quiet)
            let app = tenant.apps.collector
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let arguments = [
                "collect", "audit", "--bootstrap-servers", broker.bootstrapServers,
                "--tenant", tenant.world.directory.tenantId, "--client-id", app.clientId,
                "--client-secret-env", "SIM_SECRET", "--simulator", server.baseURL, "--since", "6h",
                "--poll-interval", "1s", "--lease-timeout", "6s", "--blob-concurrency", "4",
                "--property", "session.timeout.ms=6000", "--property", "heartbeat.interval.ms=500",
                "--log-level", "info",
            ]
            var random = SystemRandomNumberGenerator()
            var onTopicAtKill: [Int] = []
            for round in 0..<Self.kills {
                let log = directory.appendingPathComponent("run-\(round).log")
                let child = try ChildProcess(binary, arguments, environment: ["SIM_SECRET": app.clientSecret], log: log)
                // Kill while it publishes: after it holds the lease and has read back what it published.
                try await child.waitForLog("read back published record ids", seconds: 60)
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...1500, using: &random)))
                child.kill(SIGKILL)
                await child.waitForExit()
                onTopicAtKill.append(try await TopicReader.readAll(catalog.rawAudit, kafka: kafka(broker)).count)
            }
            // Final run: catches up, then stops on SIGTERM, gracefully.
            let final = try ChildProcess(
                binary, arguments, environment: ["SIM_SECRET": app.clientSecret],
                log: directory.appendingPathComponent("final.log"))
            let cut = Date()
            let expected = Self.publishedIds(tenant, by: cut)
            var raw: [KafkaConsumerMessage] = []
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                raw = try await TopicReader.readAll(catalog.rawAudit, kafka: kafka(broker))
                if expected.isSubset(of: Set(raw.compactMap(\.ceID))) { break }
                try await Task.sleep(for: .seconds(2))
            }
            final.kill(SIGTERM)
            let status = await final.waitForExit()
            #expect(status == 0, "SIGTERM stops the collector cleanly (see \(directory.path)/final.log)")

            var counts: [String: Int] = [:]
            for message in raw { counts[message.ceID ?? "", default: 0] += 1 }
            let missing = expected.subtracting(counts.keys)
            #expect(missing.isEmpty, "\(missing.count) of \(expected.count) record ids never reached the topic")
            let duplicates = counts.values.reduce(0) { $0 + max(0, $1 - 1) }
            print(
                "collector crash test: \(Self.kills) SIGKILLs (records on topic at each: \(onTopicAtKill)), "
                    + "\(expected.count) records expected, \(counts.count) distinct on topic, \(duplicates) duplicates")
            // At most one blob is between "sent" and "acknowledged and remembered" at any moment.
            #expect(duplicates <= Self.kills * Self.blobCapacity)
            #expect(onTopicAtKill.last ?? 0 > 0, "the kills happened while records were being published")
            try? await server.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        func kafka(_ broker: EmbeddedKafka) -> KafkaConfiguration {
            KafkaConfiguration(
                bootstrapServers: broker.bootstrapServers,
                properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
        }

        static func publishedIds(_ tenant: SimulatedTenant, by cut: Date) -> Set<String> {
            var ids = Set<String>()
            for blob in tenant.index.blobs.values.joined() where blob.contentCreated <= cut {
                for copy in blob.copies {
                    if let id = tenant.world.timeline.auditRecords[copy.record].id { ids.insert(id.lowercased()) }
                }
            }
            return ids
        }
    }
}
