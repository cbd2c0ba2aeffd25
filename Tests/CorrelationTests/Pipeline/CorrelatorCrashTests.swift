import Correlation
import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `inboxwatch correlate` as a process of its own, killed with SIGKILL mid-stream and started
/// again, while the broker (in this process) keeps running.
extension CorrelatorPipeline {
    @Suite("Correlator killed and restarted", .serialized)
    struct CorrelatorCrashTests {
        static let kills = 4

        @Test("killed with SIGKILL mid-stream 4 times and restarted, the correlator writes the same final stories")
        func sameStoriesAfterKills() async throws {
            let binary = try InboxwatchBinary.locate()
            let fixture = try await CorrelatorPipeline.fixture.get()
            let crash = TopicCatalog(prefix: "crash", keyedPartitions: fixture.catalog.keyedPartitions)
            for spec in crash.specs { try fixture.broker.createTopic(spec) }
            let messages = fixture.audit + fixture.mail
            // Fed in parts, one before each run, so every run has work when it is killed.
            let size = messages.count / (Self.kills + 1) + 1
            let parts = stride(from: 0, to: messages.count, by: size).map {
                Array(messages[$0..<min($0 + size, messages.count)])
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "correlator-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let arguments = [
                "correlate", "--bootstrap-servers", fixture.broker.bootstrapServers, "--topic-prefix", "crash",
                "--checkpoint-interval", "300ms", "--idle-after", "2s", "--grace", "30m",
                "--property", "session.timeout.ms=6000", "--property", "heartbeat.interval.ms=500", "--log-level",
                "info",
            ]
            var random = SystemRandomNumberGenerator()
            for round in 0..<Self.kills {
                if round < parts.count { try await fixture.republish(parts[round], to: crash) }
                let child = try ChildProcess(
                    binary, arguments, environment: [:], log: directory.appendingPathComponent("run-\(round).log"))
                try await child.waitForLog("partitions assigned", seconds: 90)
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...1200, using: &random)))
                child.kill(SIGKILL)
                #expect(await child.waitForExit() != 0, "run \(round) must have been killed, not have ended")
            }
            for part in parts.dropFirst(Self.kills) { try await fixture.republish(part, to: crash) }

            let audit = try await fixture.readAll(crash.rawAudit)
            let mail = try await fixture.readAll(crash.rawMail)
            #expect(audit.count == fixture.audit.count && mail.count == fixture.mail.count)
            let expected = PipelineFixture.singleEngineStories(
                PipelineFixture.inputs(audit + mail, catalog: crash), partitions: crash.keyedPartitions,
                configuration: CorrelatorPipeline.CorrelatorGroupTests.engine)
            #expect(!expected.isEmpty)

            let last = try ChildProcess(
                binary, arguments, environment: [:], log: directory.appendingPathComponent("last.log"))
            try await CorrelatorPipeline.CorrelatorGroupTests().waitUntilCaughtUp(
                fixture, catalog: crash, audit: audit, mail: mail)
            last.kill(SIGTERM)
            #expect(await last.waitForExit() == 0, "SIGTERM stops it cleanly")

            let (stories, events) = try await fixture.publishedStories(crash)
            CorrelatorPipeline.CorrelatorGroupTests().expectSameStories(stories, expected)
            var seen: [String: StoryEvent] = [:]
            var repeated = 0
            for event in events {
                let id = "\(event.storyId)#\(event.sequence)"
                if let earlier = seen[id] {
                    repeated += 1
                    #expect(earlier == event, "story event \(id) replayed with different content")
                }
                seen[id] = event
            }
            // Replays after a kill write story events again, identical: consumers drop them by ce_id.
            print(
                "correlator crash test: \(events.count) story events written, \(repeated) of them replays after kills")
        }
    }
}
