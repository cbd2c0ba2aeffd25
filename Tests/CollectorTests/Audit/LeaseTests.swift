import Collector
import Foundation
import Logging
import M365
import Synchronization
import Testing

extension CollectorIntegration {
    @Suite("One collector per tenant: the lease", .serialized)
    struct LeaseTests {
        @Test(
            "two collectors for one tenant never collect at the same time; the waiting one takes over when the first stops"
        )
        func secondCollectorWaitsAndTakesOver() async throws {
            let now = CollectorHarness.worldStart.addingTimeInterval(31 * 3600)
            let harness = try await CollectorHarness.start(CollectorHarness.configuration(users: 10), now: now)
            let tokens = harness.tokens(harness.tenant.apps.collector)
            let trail = Trail()
            let bLog = Trail()
            func collector(_ name: String) -> AuditCollector {
                var logger = harness.logger
                if name == "B" {
                    logger = Logger(label: "test.lease.B") { _ in TrailLogHandler(trail: bLog) }
                    logger.logLevel = .info
                }
                return AuditCollector(
                    client: harness.managementClient(tokens: tokens), publisher: harness.publisher,
                    kafka: harness.kafka,
                    settings: .init(
                        contentTypes: [.exchange], pollInterval: .milliseconds(100),
                        backfillFrom: CollectorHarness.worldStart, leaseSessionTimeoutMilliseconds: 6000),
                    clock: harness.m365Clock, logger: logger,
                    progress: { _ in trail.append(name) })
            }
            let collectorA = collector("A")
            let collectorB = collector("B")
            let first = Task { try await collectorA.run() }
            try await waitUntil(seconds: 60) { trail.names.contains("A") }
            let second = Task { try await collectorB.run() }
            // B is in the group once its first rebalance has told it whether it holds the lease.
            try await waitUntil(seconds: 60) {
                bLog.names.contains {
                    $0.contains("another collector holds the lease") || $0.contains("lease acquired")
                }
            }
            let seen = trail.names.count
            try await waitUntil(seconds: 60) { trail.names.count > seen + 20 }
            first.cancel()
            try await first.value
            try await waitUntil(seconds: 60) { trail.names.contains("B") }
            second.cancel()
            try await second.value

            let order = trail.names
            let firstB = try #require(order.firstIndex(of: "B"))
            #expect(!order[firstB...].contains("A"), "once B collects, A never does again")
            #expect(order[..<firstB].allSatisfy { $0 == "A" })
            let raw = try await harness.readAll(harness.catalog.rawAudit)
            #expect(raw.count == Set(raw.compactMap(\.ceID)).count, "no record published twice")
            await harness.stop()
        }

        func waitUntil(seconds: Double, _ condition: @Sendable () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !condition() {
                guard ContinuousClock.now < deadline else {
                    Issue.record("condition not met within \(seconds) s")
                    return
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// Who reported progress, in order.
final class Trail: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ name: String) { entries.withLock { $0.append(name) } }
    var names: [String] { entries.withLock { $0 } }
}

/// Sends every log message to a trail, so a test can wait for one.
struct TrailLogHandler: LogHandler {
    let trail: Trail
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { trail.append("\(event.message)") }
}
