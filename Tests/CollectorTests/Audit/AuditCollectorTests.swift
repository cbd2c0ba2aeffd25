import Collector
import Events
import Foundation
import Kafka
import M365
import Synchronization
import TenantSimulator
import Testing

extension CollectorIntegration {
    @Suite("Audit collector against the simulator and the embedded broker", .serialized)
    struct AuditCollectorTests {
        static let types: [AuditContentType] = [.exchange, .azureActiveDirectory, .general, .sharePoint, .dlpAll]

        func collector(
            _ harness: CollectorHarness, tokens: TokenProvider, backfillFrom: Date? = nil,
            health: @escaping CollectorHealthSink = { _ in }
        ) -> AuditCollector {
            AuditCollector(
                client: harness.managementClient(tokens: tokens), publisher: harness.publisher, kafka: harness.kafka,
                settings: .init(
                    contentTypes: Self.types, policy: AuditCollectionPolicy(overlap: 4 * 3600, windowLength: 6 * 3600),
                    pollInterval: .milliseconds(200), backfillFrom: backfillFrom, once: true,
                    leaseSessionTimeoutMilliseconds: 6000),
                clock: harness.m365Clock, logger: harness.logger, health: health)
        }

        @Test(
            "with throttling, 5xx, duplicates, late publication, malformed records and an expired token, every record id reaches the raw topic once"
        )
        func everyRecordOnceUnderFaults() async throws {
            var faults = FaultPlan()
            faults.managementThrottleFraction = 0.2
            faults.serverErrorFraction = 0.1
            let start = CollectorHarness.worldStart
            let harness = try await CollectorHarness.start(
                CollectorHarness.configuration(malformed: 6), faults: faults, now: start.addingTimeInterval(4 * 3600))
            let tokens = harness.tokens(harness.tenant.apps.collector)
            // Three passes as time goes on: records published late (up to a day) arrive in later passes.
            var ends: [Date] = []
            for (pass, hours) in [4.0, 12, 31].enumerated() {
                let now = start.addingTimeInterval(hours * 3600)
                await harness.set(now: now)
                if pass == 1 { await harness.tenant.expireAllTokens() }
                try await collector(harness, tokens: tokens, backfillFrom: pass == 0 ? start : nil).run()
                ends.append(now)
            }
            let expected = harness.publishedRecordIds(by: ends.last!)
            #expect(expected.count > 200, "the scenario should be big enough to mean something")
            let lateRecords = harness.tenant.world.timeline.auditRecords.filter { $0.publicationDelay > 8 * 3600 }
            #expect(!lateRecords.isEmpty, "some records are published hours late")

            let raw = try await harness.readAll(harness.catalog.rawAudit)
            var counts: [String: Int] = [:]
            for message in raw { counts[message.ceID ?? "", default: 0] += 1 }
            let missing = expected.subtracting(counts.keys)
            #expect(missing.isEmpty, "missing \(missing.count) of \(expected.count) record ids")
            let duplicated = counts.filter { $0.value > 1 }
            #expect(duplicated.isEmpty, "\(duplicated.count) record ids published more than once")
            #expect(Set(counts.keys).subtracting(expected).isEmpty, "nothing but published records")

            // Every raw record is keyed tenant/subject and its envelope names its record.
            let decoder = BoundedJSONDecoder()
            for message in raw.prefix(200) {
                let envelope = try decoder.decodeValue(RawAuditEnvelope.self, from: message.value ?? [])
                #expect(message.keyString?.hasPrefix(harness.tenantId.lowercased() + "/") == true)
                #expect(EventID.raw(envelope.recordId) == message.ceID)
            }

            let dead = try await harness.readAll(harness.catalog.deadLetter)
            let letters = try dead.map { try decoder.decodeValue(DeadLetterRecord.self, from: $0.value ?? []) }
            let malformed = letters.filter { $0.stage == "collector.audit" && $0.originalValue != nil }
            #expect(malformed.count == harness.publishedMalformedCount(by: ends.last!))
            #expect(malformed.allSatisfy { !$0.reason.isEmpty && $0.sourceURI != nil })
            await harness.stop()
        }

        @Test("a restart resumes from the checkpoint and publishes nothing again")
        func restartPublishesNothingAgain() async throws {
            let start = CollectorHarness.worldStart
            let now = start.addingTimeInterval(31 * 3600)
            let harness = try await CollectorHarness.start(CollectorHarness.configuration(users: 20), now: now)
            let tokens = harness.tokens(harness.tenant.apps.collector)
            try await collector(harness, tokens: tokens, backfillFrom: start).run()
            let first = try await harness.readAll(harness.catalog.rawAudit).count
            let checkpoints = try await harness.readAll(harness.catalog.collectorCheckpoints)
            #expect(!checkpoints.isEmpty)
            try await collector(harness, tokens: tokens).run()
            let second = try await harness.readAll(harness.catalog.rawAudit).count
            #expect(first == harness.publishedRecordIds(by: now).count)
            #expect(second == first)
            await harness.stop()
        }

        @Test("credentials that stop working make the collector report unhealthy, not healthy with zero records")
        func badCredentialsReportUnhealthy() async throws {
            let now = CollectorHarness.worldStart.addingTimeInterval(31 * 3600)
            let harness = try await CollectorHarness.start(CollectorHarness.configuration(users: 10), now: now)
            let app = harness.tenant.apps.collector
            let tokens = TokenProvider(
                identity: AppIdentity(clientId: app.clientId, credential: .secret("wrong-secret")),
                endpoints: harness.endpoints, http: harness.http, clock: harness.m365Clock, logger: harness.logger)
            let reports = Mutex<[CollectorHealth]>([])
            let collector = collector(harness, tokens: tokens) { health in reports.withLock { $0.append(health) } }
            await #expect(throws: CollectorError.self) { try await collector.run() }
            let seen = reports.withLock { $0 }
            #expect(!seen.isEmpty)
            #expect(seen.allSatisfy { $0.status == .unhealthy })
            #expect(seen.contains { $0.reason.contains("AADSTS") })
            #expect(!seen.contains { $0.reason.contains("wrong-secret") })
            await harness.stop()
        }
    }
}
