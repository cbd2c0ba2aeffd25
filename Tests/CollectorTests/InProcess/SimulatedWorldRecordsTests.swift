import Collector
import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import M365
import TenantSimulator
import Testing

extension CollectorIntegration {
    /// ``SimulatedWorldRecords`` stands in for the collectors wherever a test needs a big world's
    /// raw records: it may do so only while it builds exactly what they publish.
    @Suite struct SimulatedWorldRecordsTests {
        /// Compared as sets by `ce_id`: for each id the same number of copies, the same keys,
        /// the same explicit partitions (the broadcast domain list), the same `ce_source`,
        /// `ce_type` and `ce_time`, and the same decoded envelope, `collectedAt` included (both
        /// runs read the same manual clock, so collection times agree too).
        ///
        /// One difference is allowed because it cannot be decided: the `contentId` of an audit
        /// record that Microsoft (the simulator) lists twice, in two blobs. The collector
        /// fetches a few blobs at once and publishes them as they arrive, so which copy it keeps
        /// is a race when the two blobs are fetched together; the in-process records keep the
        /// earlier blob's. Such a record must still name one of the blobs that hold it, with the
        /// same record.
        @Test("the in-process records of a world are the records the collectors publish for it")
        func inProcessRecordsAreThePublishedOnes() async throws {
            let start = CollectorHarness.worldStart
            let configuration = SimulatorConfiguration(
                seed: 41, scenarios: ScenarioCatalog.attacks.map(\.name), start: start, duration: 8 * 3600,
                userCount: 30, backgroundRate: 2, quirkRate: 0.5, malformedRecords: 4, listingPageSize: 20,
                graphPageSize: 25)
            // Late enough that the tenant has published every record of the world.
            let now = start.addingTimeInterval((8 + 26) * 3600)
            let harness = try await CollectorHarness.start(configuration, now: now)
            do {
                try await collectOnce(harness, since: start)
            } catch {
                await harness.stop()
                throw error
            }
            await harness.stop()
            let catalog = harness.catalog
            let world = harness.tenant.world
            let published = (
                audit: try await harness.readAll(catalog.rawAudit), mail: try await harness.readAll(catalog.rawMail)
            )
            let deadLetters = try await harness.readAll(catalog.deadLetter).map {
                try BoundedJSONDecoder().decodeValue(DeadLetterRecord.self, from: $0.value ?? [])
            }

            let clock = ContinuousClock()
            let began = clock.now
            let records = try await SimulatedWorldRecords.build(
                world: world, observedAt: now, collectingSince: start, catalog: catalog)
            print(
                "in-process records of \(world.configuration.userCount) users: \(records.audit.count) audit, "
                    + "\(records.mail.count) mail, \(records.rejected.count) rejected, in \(clock.now - began)")

            // The world must exercise what is compared: every feed, every resource kind it has.
            #expect(records.audit.count > 100 && records.mail.count > 100)
            let kinds = Set(records.mail.map(\.cloudEventType))
            for kind in RawMailEnvelope.ResourceKind.allCases {
                #expect(kinds.contains("com.inboxwatch.raw.mail.\(kind.rawValue)"), "no \(kind) in the world")
            }
            #expect(records.audit.allSatisfy { $0.topic == catalog.rawAudit })
            #expect(records.mail.allSatisfy { $0.topic == catalog.rawMail })

            var copiesOfRecord: [String: Set<String>] = [:]
            for blobs in harness.tenant.index.blobs.values {
                for blob in blobs {
                    for copy in blob.copies {
                        if let id = world.timeline.auditRecords[copy.record].id {
                            copiesOfRecord[EventID.raw(id), default: []].insert(blob.contentId)
                        }
                    }
                }
            }
            let auditDifferences = try Self.differences(
                published.audit, records.audit, RawAuditEnvelope.self, identity: \.recordId
            ) { id, actual, expected in
                // The race described above: another blob holding the same record.
                var other = actual
                other.contentId = expected.contentId
                return other == expected && copiesOfRecord[id, default: []].contains(actual.contentId)
            }
            let mailDifferences = try Self.differences(
                published.mail, records.mail, RawMailEnvelope.self,
                identity: { "\($0.resourceKind) \($0.changeKind) \($0.resourceId)" }, tolerated: { _, _, _ in false })
            for (feed, differences) in [("audit", auditDifferences), ("mail", mailDifferences)]
            where !differences.isEmpty {
                Issue.record(
                    "\(differences.count) \(feed) ids differ:\n\(differences.prefix(15).joined(separator: "\n"))")
            }

            // What the collectors dead-lettered, the in-process records name as rejected.
            for stage in ["collector.audit", "collector.mail"] {
                let classes = deadLetters.filter { $0.stage == stage }.map(\.errorClass).sorted()
                #expect(classes == records.rejected.filter { $0.stage == stage }.map(\.errorClass).sorted(), "\(stage)")
            }
            #expect(records.rejected.filter { $0.stage == "collector.audit" }.count == configuration.malformedRecords)
        }

        /// Runs the real audit and mail collectors once over the harness's tenant, as the pipeline
        /// fixture of the correlator tests does.
        private func collectOnce(_ harness: CollectorHarness, since: Date) async throws {
            let tokens = harness.tokens(harness.tenant.apps.collector)
            let directory = harness.tenant.world.directory
            try await AuditCollector(
                client: harness.managementClient(tokens: tokens), publisher: harness.publisher, kafka: harness.kafka,
                settings: .init(
                    pollInterval: .milliseconds(100), backfillFrom: since, once: true,
                    leaseSessionTimeoutMilliseconds: 6000),
                directory: UserDirectory(graph: harness.graphClient(tokens: tokens), logger: harness.logger),
                clock: harness.m365Clock, logger: harness.logger
            ).run()
            try await MailCollector(
                client: harness.graphClient(tokens: tokens), publisher: harness.publisher, kafka: harness.kafka,
                settings: .init(
                    mailDomains: directory.domains.map(\.name), reportMailbox: directory.reportMailbox,
                    pollInterval: .milliseconds(100), backfillFrom: since, once: true,
                    leaseSessionTimeoutMilliseconds: 6000),
                clock: harness.m365Clock, logger: harness.logger
            ).run()
        }

        /// One line per `ce_id` whose published records and in-process records differ. An id on
        /// one side only is shown with its envelope next to the other side's envelope of the same
        /// resource (`identity`), if there is one: what differs is then plain.
        /// - Parameter tolerated: whether a differing envelope pair is a documented exception.
        private static func differences<Envelope: TopicValue>(
            _ published: [KafkaConsumerMessage], _ records: [PublishedRecord], _ type: Envelope.Type,
            identity: (Envelope) -> String,
            tolerated: (_ id: String, _ published: Envelope, _ expected: Envelope) -> Bool
        ) throws -> [String] {
            let decoder = BoundedJSONDecoder()
            let actual = Dictionary(grouping: published) { $0.ceID ?? "(no ce_id)" }
            let expected = Dictionary(grouping: records, by: \.cloudEventId)
            var lines: [String] = []
            let publishedOnly = try Set(actual.keys).subtracting(expected.keys).sorted().map {
                ($0, try decoder.decodeValue(type, from: actual[$0]![0].value ?? []))
            }
            let inProcessOnly = try Set(expected.keys).subtracting(actual.keys).sorted().map {
                ($0, try decoder.decodeValue(type, from: expected[$0]![0].value))
            }
            let inProcessByIdentity = Dictionary(inProcessOnly.map { (identity($0.1), $0) }) { first, _ in first }
            var explained = Set<String>()
            for (id, envelope) in publishedOnly {
                if let (other, theirs) = inProcessByIdentity[identity(envelope)] {
                    explained.insert(other)
                    lines.append(
                        "\(id) published, \(other) in-process, for \(identity(envelope)):\n    published:  \(envelope)"
                            + "\n    in-process: \(theirs)")
                } else {
                    lines.append("\(id): published only: \(envelope)")
                }
            }
            for (id, envelope) in inProcessOnly where !explained.contains(id) {
                lines.append("\(id): in-process only: \(envelope)")
            }
            for (id, copies) in expected.sorted(by: { $0.key < $1.key }) {
                guard let messages = actual[id] else { continue }
                let mine = copies[0]
                var problems: [String] = []
                if messages.count != copies.count { problems.append("\(messages.count) copies, not \(copies.count)") }
                let keys = Set(messages.map { $0.keyString ?? "" })
                if keys != Set(copies.map(\.key)) { problems.append("keys \(keys.sorted()), not \(mine.key)") }
                let partitions = copies.compactMap(\.partition)
                if !partitions.isEmpty, Set(messages.map(\.partition)) != Set(partitions) {
                    problems.append("partitions \(messages.map(\.partition).sorted()), not \(partitions.sorted())")
                }
                for message in messages {
                    let headers = try CloudEventHeaders(kafkaHeaders: message.headers)
                    if headers.source != mine.cloudEventSource { problems.append("ce_source \(headers.source)") }
                    if headers.type != mine.cloudEventType { problems.append("ce_type \(headers.type)") }
                    // ce_time is written with milliseconds.
                    if headers.time.millisecondsSince1970 != mine.cloudEventTime.millisecondsSince1970 {
                        problems.append("ce_time \(headers.time), not \(mine.cloudEventTime)")
                    }
                    let theirs = try decoder.decodeValue(type, from: message.value ?? [])
                    let ours = try decoder.decodeValue(type, from: mine.value)
                    if theirs != ours && !tolerated(id, theirs, ours) {
                        problems.append("envelope\n    published:  \(theirs)\n    in-process: \(ours)")
                    }
                }
                if !problems.isEmpty { lines.append("\(id): " + Set(problems).sorted().joined(separator: "; ")) }
            }
            return lines
        }
    }
}
