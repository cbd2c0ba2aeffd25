import Events
import Foundation
import Testing

@testable import Correlation
@testable import TenantSimulator

/// Every audit record a simulated tenant publishes, with every attack planted, normalizes
/// without an error and shows the facts the attacks are made of.
struct SimulatedWorldNormalizationTests {
    /// The world's audit records as the audit collector publishes them: keyed by `RecordKey`,
    /// wrapped in a ``RawAuditEnvelope``, `ce_id` the record's `Id`.
    static func publishedRecords(of world: SimulatedWorld) throws -> [RawInput] {
        let tenant = world.directory.tenantId
        let factory = AuditRecordFactory(tenantId: tenant, organizationName: "contoso.onmicrosoft.com")
        var inputs: [RawInput] = []
        for (offset, spec) in world.timeline.auditRecords.enumerated() {
            guard let id = spec.id else { continue }
            let document: OrderedJSON
            switch spec.body {
            case .document(let json): document = json
            case .signIn(let event, let quirks):
                let user = try #require(world.directory.user(id: event.userId))
                document = factory.signIn(id: id, event: event, user: user, quirks: quirks)
            case .malformed: continue
            }
            let record = try BoundedJSONDecoder().decode(JSONValue.self, from: Array(document.serialized()))
            let userType: Int? =
                switch record["UserType"] {
                case .integer(let number)?: Int(number)
                case .string(let text)?: Int(text)
                default: nil
                }
            let key = RecordKey(tenantID: tenant, user: record["UserId"]?.stringValue, userType: userType)
            let envelope = RawAuditEnvelope(
                tenantId: tenant, contentType: spec.contentType.rawValue, contentId: "blob-\(offset / 50)",
                recordId: id, collectedAt: spec.creationTime.addingTimeInterval(spec.publicationDelay), record: record)
            inputs.append(
                RawInput(
                    feed: .audit, key: key.description, value: try EventEncoder().encode(envelope),
                    cloudEventId: EventID.raw(id),
                    source: SourceReference(
                        topic: "inboxwatch.raw.audit", partition: 0, offset: Int64(offset), recordId: "")))
        }
        return inputs
    }

    @Test func everyAuditRecordOfAWorldWithEveryAttackNormalizesToTheKindsTheAttacksPlant() throws {
        let world = SimulatedWorld(
            configuration: SimulatorConfiguration(
                seed: 11, scenarios: ScenarioCatalog.attacks.map(\.name),
                start: Date(timeIntervalSince1970: 1_795_132_800), duration: 6 * 3600, userCount: 30,
                backgroundRate: 0.5, quirkRate: 0.6))
        let inputs = try Self.publishedRecords(of: world)
        #expect(inputs.count > 50)
        let normalizer = Normalizer()
        var events: [SecurityEvent] = []
        for input in inputs {
            do {
                events.append(try normalizer.normalize(input))
            } catch {
                Issue.record("record at offset \(input.source.offset) refused: \(error)")
            }
        }
        let kinds = Set(events.map(\.kind))
        for kind in [SecurityEvent.Kind.signIn, .inboxRule, .mailboxForwarding, .generic] {
            #expect(kinds.contains(kind), "no \(kind) event")
        }
        #expect(kinds.contains(.phishDelivered) || kinds.contains(.phishReported))
        let domains = Set(world.directory.domains.map { $0.name.lowercased() })
        let external = events.filter { event in
            event.kind == .inboxRule
                && (event.rule?.destinations ?? []).contains { address in
                    !domains.contains(String(address.split(separator: "@").last ?? ""))
                }
        }
        #expect(!external.isEmpty, "no inbox rule forwards outside the tenant")
        let hiding = events.filter { $0.kind == .inboxRule && $0.rule?.moveToFolder == "rssfeeds" }
        #expect(!hiding.isEmpty, "the hiding rule's RSS folder was not recognised")
        for event in events {
            #expect(event.tenantId == world.directory.tenantId.keyNormalized)
            #expect(!event.user.isEmpty && !event.operation.isEmpty)
            #expect(event.source.recordId == event.id)
        }
        // System cmdlets stay apart from users.
        for event in events where event.user == "~system" && event.kind == .inboxRule {
            #expect(event.actorType == .system)
        }
    }
}
