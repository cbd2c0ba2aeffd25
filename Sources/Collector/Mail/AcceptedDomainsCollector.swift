import Events
import Foundation
import M365

/// Collects the tenant's accepted domains (what counts as internal) as one `domainList` event
/// holding the whole list, published when the list changes.
struct AcceptedDomainsCollector: Sendable {
    let client: GraphClient
    let output: MailOutput

    static let source = "mail/domains"
    static let permission = "Domain.Read.All"
    /// The one snapshot item, and the event's resource id.
    static let resourceId = "domains"

    /// What the collector keeps between cycles.
    struct State: Sendable {
        var snapshot: SnapshotState
        var dedupe: RecordDeduplicator
    }

    func runCycle(_ state: inout State) async throws(CollectorError) {
        state.dedupe.evict(now: output.clock.now())
        let domains: [GraphItem]
        do {
            domains = try await client.domains()
        } catch {
            throw GraphFailure.collectorError("listing accepted domains", error, permission: Self.permission)
        }
        // Sorted by name, so the same domains in another order are the same list.
        let list = JSONValue.object([
            "value": .array(domains.sorted { ($0.id ?? "") < ($1.id ?? "") }.map(\.raw))
        ])
        let changes = state.snapshot.changes(in: [SnapshotState.Item(id: Self.resourceId, resource: list)])
        guard !changes.isEmpty else { return }
        let now = output.clock.now()
        let mailChanges = changes.map { change in
            MailChange(
                envelope: RawMailEnvelope(
                    tenantId: output.tenantId, resourceKind: .domainList, changeKind: change.kind,
                    resourceId: change.id, collectedAt: now, resource: change.resource),
                // Tenant context, about no user.
                key: RecordKey(tenantID: output.tenantId, subject: .unattributed), eventTime: now)
        }
        try await output.publish(mailChanges, source: Self.source, dedupe: &state.dedupe)
        state.snapshot.apply(changes)
        try await output.writeCheckpoint(
            CollectorCheckpoint(
                tenantId: output.tenantId, source: Self.source, fingerprints: state.snapshot.fingerprints,
                updatedAt: now))
    }
}
