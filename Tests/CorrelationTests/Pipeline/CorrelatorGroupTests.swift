import Correlation
import Events
import Foundation
import Kafka
import Logging
import TenantSimulator
import Testing

/// The correlator on Kafka: instances in a consumer group over the embedded broker, against
/// the raw topics the real collectors filled from the simulated tenant.
extension CorrelatorPipeline {
    @Suite("Correlator instances on Kafka", .serialized)
    struct CorrelatorGroupTests {
        static let engine = CorrelatorConfiguration(grace: .seconds(30 * 60), idleAfter: .seconds(2))

        func settings(_ fixture: PipelineFixture, group: String) -> CorrelatorSettings {
            CorrelatorSettings(
                kafka: fixture.kafka, catalog: fixture.catalog, groupID: group, checkpointInterval: .milliseconds(300),
                outputBatch: 100, engine: Self.engine)
        }

        func logger(_ label: String) -> Logger {
            var logger = Logger(label: label)
            logger.logLevel = ProcessInfo.processInfo.environment["CORRELATOR_TEST_LOG"] == nil ? .warning : .info
            return logger
        }

        /// Waits until the state topic's markers say every raw record has been applied and checkpointed.
        func waitUntilCaughtUp(_ fixture: PipelineFixture, timeout: Duration = .seconds(180)) async throws {
            try await waitUntilCaughtUp(
                fixture, catalog: fixture.catalog, audit: fixture.audit, mail: fixture.mail, timeout: timeout)
        }

        func waitUntilCaughtUp(
            _ fixture: PipelineFixture, catalog: TopicCatalog, audit: [KafkaConsumerMessage],
            mail: [KafkaConsumerMessage],
            timeout: Duration = .seconds(180)
        ) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            var ends: [Int32: [RawInput.Feed: Int64]] = [:]
            for partition in 0..<catalog.keyedPartitions {
                ends[partition] = [
                    .audit: Int64(audit.filter { $0.partition == partition }.count),
                    .mail: Int64(mail.filter { $0.partition == partition }.count),
                ]
            }
            var progress: [Int32: PartitionCheckpoint.Progress] = [:]
            while clock.now < deadline {
                progress = try await markers(fixture, catalog: catalog)
                let done = ends.allSatisfy { partition, feeds in
                    feeds.allSatisfy { feed, end in end == 0 || (progress[partition]?.resume[feed.rawValue] ?? 0) >= end
                    }
                }
                if done { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            Issue.record(
                "the correlators did not catch up within \(timeout): ends \(ends), markers \(progress.mapValues(\.resume))"
            )
        }

        /// Waits until the published stories are the expected ones, or a minute passed. Forwarding
        /// fan-in converges after the raw input is read: each instance must still read the other
        /// instances' forwarding observations.
        func waitForStories(
            _ fixture: PipelineFixture, catalog: TopicCatalog, expected: [String: StoryView]
        ) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while clock.now < deadline {
                let (stories, _) = try await fixture.publishedStories(catalog)
                if PipelineFixture.visible(stories) == PipelineFixture.visible(expected) { return }
                try await Task.sleep(for: .milliseconds(250))
            }
        }

        func markers(_ fixture: PipelineFixture, catalog: TopicCatalog) async throws -> [Int32: PartitionCheckpoint
            .Progress]
        {
            var latest: [Int32: PartitionCheckpoint.Progress] = [:]
            let decoder = BoundedJSONDecoder()
            let codec = StateCodec(feedTopics: [.audit: catalog.rawAudit, .mail: catalog.rawMail])
            var snapshots: [Int32: [CorrelatorStateSnapshot]] = [:]
            try await KafkaPartitionReader.read(
                (0..<catalog.keyedPartitions).map {
                    KafkaTopicPartition(topic: catalog.correlatorState, partition: $0)
                },
                configuration: fixture.kafka
            ) { message in
                if let snapshot = try? decoder.decodeValue(CorrelatorStateSnapshot.self, from: message.value ?? []),
                    snapshot.key.hasPrefix("~correlator/")
                {
                    snapshots[message.partition, default: []].append(snapshot)
                }
            }
            for (partition, list) in snapshots {
                latest[partition] = try codec.restore(partition: partition, from: list)?.progress
            }
            return latest
        }

        /// Expects equal stories, saying briefly how they differ when they do.
        /// Compares the stories an analyst sees. A forwarding or hiding story opened before the
        /// late sign-in that made it a takeover is closed, merged into the takeover story (no
        /// verdict): whether it existed depends on arrival order, the takeover story does not.
        func expectSameStories(
            _ allStories: [String: StoryView], _ allExpected: [String: StoryView],
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let stories = PipelineFixture.visible(allStories)
            let expected = PipelineFixture.visible(allExpected)
            guard stories != expected else { return }
            var lines: [String] = []
            for id in Set(stories.keys).union(expected.keys).sorted() {
                switch (stories[id], expected[id]) {
                case (let got?, nil): lines.append("extra \(got.user) \(got.detection) \(got.criticality)")
                case (nil, let want?): lines.append("missing \(want.user) \(want.detection) \(want.criticality)")
                case (let got?, let want?) where got != want:
                    let mirrorGot = Mirror(reflecting: got).children
                    let mirrorWant = Mirror(reflecting: want).children
                    let fields = zip(mirrorGot, mirrorWant).filter { "\($0.value)" != "\($1.value)" }.map {
                        $0.0.label ?? "?"
                    }
                    lines.append("\(got.user) \(got.detection) differs in \(fields)")
                    if fields.contains("summary") {
                        lines.append("  got  summary \(got.summary)")
                        lines.append("  want summary \(want.summary)")
                    }
                    if fields.contains("evidence") {
                        lines.append(
                            "  got  evidence \(got.evidence.map { "\($0.source?.recordId ?? "-") \($0.condition)" })")
                        lines.append(
                            "  want evidence \(want.evidence.map { "\($0.source?.recordId ?? "-") \($0.condition)" })")
                    }
                    if fields.contains("timeline") {
                        lines.append(
                            "  got  \(got.timeline.map { "\($0.time) \($0.source?.recordId ?? "-") \($0.event.prefix(50))" })"
                        )
                        lines.append(
                            "  want \(want.timeline.map { "\($0.time) \($0.source?.recordId ?? "-") \($0.event.prefix(50))" })"
                        )
                    }
                default: break
                }
            }
            let report = lines.joined(separator: "\n")
            Issue.record("stories differ:\n\(report)", sourceLocation: sourceLocation)
        }

        func expectNoEvidenceTwice(_ stories: [String: StoryView], sourceLocation: SourceLocation = #_sourceLocation) {
            for story in stories.values {
                let ids = story.references.map(\.recordId)
                #expect(
                    Set(ids).count == ids.count, "a record referenced twice in \(story.id)",
                    sourceLocation: sourceLocation)
                let timeline = story.timeline.compactMap(\.source?.recordId)
                #expect(
                    Set(timeline).count == timeline.count, "a timeline entry twice in \(story.id)",
                    sourceLocation: sourceLocation)
            }
        }

        @Test(
            "one instance writes the stories the engine computes, each story event once, with OCSF findings beside them"
        )
        func oneInstanceMatchesTheEngine() async throws {
            let fixture = try await CorrelatorPipeline.fixture.get()
            let expected = fixture.singleEngineStories(configuration: Self.engine)
            #expect(!expected.isEmpty, "the scenarios should open stories")
            let correlator = Correlator(settings: settings(fixture, group: "one"), logger: logger("test.correlator"))
            let running = Task { try await correlator.run() }
            try await waitUntilCaughtUp(fixture)
            running.cancel()
            try await running.value
            let (stories, events) = try await fixture.publishedStories()
            expectSameStories(stories, expected)
            let ids = events.map { "\($0.storyId)#\($0.sequence)" }
            #expect(Set(ids).count == ids.count, "no story event written twice without a crash")
            let findings = try await fixture.readAll(fixture.catalog.findingsOCSF)
            #expect(findings.count == events.count)
            expectNoEvidenceTwice(stories)

            // Every attack's ground truth, and nothing else: the same users, detections and criticality.
            let truth = fixture.tenant.world.groundTruth.expectedStories
            #expect(Set(truth.map(\.detection)) == Set(Detection.allCases), "every detection is planted")
            let found = PipelineFixture.visible(stories).values.map { "\($0.user) \($0.detection) \($0.criticality)" }
            #expect(found.count == Set(found).count, "one story per user and detection")
            let want = Set(truth.map { "\($0.user) \($0.detection.rawValue) \($0.criticality)" })
            #expect(
                Set(found) == want,
                "missing: \(want.subtracting(found).sorted()); unexpected: \(Set(found).subtracting(want).sorted())")
        }

        @Test("two instances, a third joining and one leaving mid-stream: the same stories as one instance")
        func scaleOutAndInChangesNothing() async throws {
            let fixture = try await CorrelatorPipeline.fixture.get()
            // The same raw records again, on topics of their own, fed in three parts while the group changes.
            let scaled = TopicCatalog(prefix: "scale", keyedPartitions: fixture.catalog.keyedPartitions)
            for spec in scaled.specs { try fixture.broker.createTopic(spec) }
            // Each part holds a third of each feed, and the first also every tenant's domain list:
            // without it the events wait for their tenant's context (up to `contextWait`), and a
            // first part of audit records alone would let nothing be applied while the group changes.
            let domainLists = fixture.mail.filter(Self.isDomainList)
            let personalMail = fixture.mail.filter { !Self.isDomainList($0) }
            let parts = (0..<3).map { part in
                Self.third(part, of: fixture.audit) + Self.third(part, of: personalMail)
            }
            try await fixture.republish(domainLists + parts[0], to: scaled)
            var settings = settings(fixture, group: "scale")
            settings.catalog = scaled
            let group = settings
            let first = Task { try await Correlator(settings: group, logger: logger("c1")).run() }
            let second = Task { try await Correlator(settings: group, logger: logger("c2")).run() }
            let applied = try await waitForCheckpointedProgress(fixture, catalog: scaled, beyond: 0)
            let third = Task { try await Correlator(settings: group, logger: logger("c3")).run() }
            try await fixture.republish(parts[1], to: scaled)
            // The group, rebalanced to three, goes on from where the two had got.
            _ = try await waitForCheckpointedProgress(fixture, catalog: scaled, beyond: applied)
            first.cancel()
            try await first.value
            try await fixture.republish(parts[2], to: scaled)

            let audit = try await fixture.readAll(scaled.rawAudit)
            let mail = try await fixture.readAll(scaled.rawMail)
            #expect(audit.count == fixture.audit.count && mail.count == fixture.mail.count)
            let expected = PipelineFixture.singleEngineStories(
                PipelineFixture.inputs(audit + mail, catalog: scaled), partitions: scaled.keyedPartitions,
                configuration: Self.engine)
            #expect(!expected.isEmpty)
            try await waitUntilCaughtUp(fixture, catalog: scaled, audit: audit, mail: mail)
            try await waitForStories(fixture, catalog: scaled, expected: expected)
            second.cancel()
            third.cancel()
            try await second.value
            try await third.value
            let (stories, events) = try await fixture.publishedStories(scaled)
            expectSameStories(stories, expected)
            // A partition handed over replays from its checkpoint: a repeated story event is the same event.
            var seen: [String: StoryEvent] = [:]
            for event in events {
                let id = "\(event.storyId)#\(event.sequence)"
                if let earlier = seen[id] {
                    #expect(earlier == event, "story event \(id) written twice with different content")
                }
                seen[id] = event
            }
            expectNoEvidenceTwice(stories)
        }

        /// Waits until the markers of all partitions together have moved past `beyond` records;
        /// returns how far they have got.
        func waitForCheckpointedProgress(
            _ fixture: PipelineFixture, catalog: TopicCatalog, beyond: Int64,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws -> Int64 {
            let clock = ContinuousClock()
            let timeout = Duration.seconds(120)
            let deadline = clock.now + timeout
            var total: Int64 = 0
            while clock.now < deadline {
                total = try await markers(fixture, catalog: catalog).values.reduce(0) {
                    $0 + $1.resume.values.reduce(0, +)
                }
                if total > beyond { return total }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record(
                "the checkpointed progress stayed at \(total) records (waiting for more than \(beyond)) for \(timeout)",
                sourceLocation: sourceLocation)
            return total
        }

        static func isDomainList(_ message: KafkaConsumerMessage) -> Bool {
            let envelope = try? BoundedJSONDecoder().decodeValue(RawMailEnvelope.self, from: message.value ?? [])
            return envelope?.resourceKind == .domainList
        }

        /// The `part`-th third of the messages, in their order.
        static func third(_ part: Int, of messages: [KafkaConsumerMessage]) -> [KafkaConsumerMessage] {
            let size = messages.count / 3
            return Array(part == 2 ? messages.dropFirst(2 * size) : messages.dropFirst(part * size).prefix(size))
        }
    }
}
