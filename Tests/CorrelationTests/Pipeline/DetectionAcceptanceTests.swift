import Correlation
import Events
import Foundation
import InboxwatchTestSupport
import TenantSimulator
import Testing

/// The detections against a tenant of realistic size: every attack scenario planted among 500+
/// users whose ordinary activity (100,000+ records, full of look-alikes: internal forwarding,
/// benign rules, honest travel, Exchange's own cmdlets, blocked phish, reported newsletters)
/// must open no story at all. The raw records are exactly those the collectors publish for the
/// world (`SimulatedWorldRecords`, proven against the real collectors in CollectorTests), fed
/// through one engine holding every partition.
struct DetectionAcceptanceTests {
    static let start = Date(timeIntervalSince1970: 1_795_132_800)  // 2026-11-20T00:00:00Z
    static let partitions: Int32 = 6

    @Test(
        "every attack among 500 users and 100,000+ benign records: the stories are exactly the ground truth, and no benign user has one"
    )
    func storiesAreTheGroundTruthInALargeBenignTenant() async throws {
        let hours = 80.0
        let world = await OwnThread.run {
            SimulatedWorld(
                configuration: SimulatorConfiguration(
                    seed: 2026, scenarios: ScenarioCatalog.attacks.map(\.name), start: Self.start,
                    duration: hours * 3600, userCount: 520, backgroundRate: 2.5, quirkRate: 0.3))
        }
        let records = try await SimulatedWorldRecords.build(
            world: world, observedAt: Self.start.addingTimeInterval((hours + 2) * 3600))
        #expect(records.audit.count + records.mail.count >= 100_000)
        #expect(world.directory.users.count >= 500)

        let stories = await OwnThread.run {
            PipelineFixture.visible(
                PipelineFixture.singleEngineStories(
                    Self.inputs(records), partitions: Self.partitions,
                    configuration: CorrelatorConfiguration(grace: .seconds(30 * 60), idleAfter: .seconds(2))))
        }
        let truth = world.groundTruth
        #expect(Set(truth.expectedStories.map(\.detection)) == Set(Detection.allCases), "every detection is planted")

        // Audit records whose UserId is the object id (a documented quirk) are re-keyed to the
        // UPN by the collector, so no story is told under an object id, and none twice.
        #expect(!stories.values.contains { $0.user.hasPrefix("id:") }, "a story keyed by object id")
        let found = stories.values.map { "\($0.user) \($0.detection) \($0.criticality)" }
        let want = Set(truth.expectedStories.map { "\($0.user) \($0.detection.rawValue) \($0.criticality)" })
        #expect(
            Set(found) == want,
            "missing: \(want.subtracting(found).sorted()); unexpected: \(Set(found).subtracting(want).sorted())")
        #expect(found.count == Set(found).count, "one story per user and detection")
        let victims = Set(truth.expectedStories.map(\.user))
        let benign = stories.values.filter { !victims.contains($0.user) }
        #expect(benign.isEmpty, "stories about benign users: \(benign.map { "\($0.user) \($0.detection)" })")
        for lookAlike in truth.benignLookAlikes {
            let fired = stories.values.contains {
                $0.user == lookAlike.user && $0.detection == lookAlike.resembles.rawValue
                    && !truth.expectedStories.contains {
                        $0.user == lookAlike.user && $0.detection == lookAlike.resembles
                    }
            }
            #expect(!fired, "look-alike \(lookAlike.kind) of \(lookAlike.user) fired \(lookAlike.resembles)")
        }
    }

    /// The records as the correlator reads them: each on the partition Kafka's key hash would
    /// give it (domain lists are broadcast to every partition), offsets in publishing order.
    static func inputs(_ records: SimulatedWorldRecords) -> [RawInput] {
        var offsets: [String: Int64] = [:]
        var inputs: [RawInput] = []
        for (feed, list) in [(RawInput.Feed.audit, records.audit), (.mail, records.mail)] {
            for record in list {
                let partition = record.partition ?? Int32(fnv1a(record.key) % UInt64(partitions))
                let slot = "\(record.topic)#\(partition)"
                let offset = offsets[slot, default: 0]
                offsets[slot] = offset + 1
                inputs.append(
                    RawInput(
                        feed: feed, key: record.key, value: record.value, cloudEventId: record.cloudEventId,
                        source: SourceReference(
                            topic: record.topic, partition: partition, offset: offset,
                            recordId: record.cloudEventId)))
            }
        }
        return inputs
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
