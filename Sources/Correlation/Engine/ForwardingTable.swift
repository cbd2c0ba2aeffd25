import Events

/// Every instance's copy of which mailboxes forward where, by tenant and destination: what
/// forwarding fan-in is judged on. Bounded per destination (the newest kept) and in
/// destinations (the first seen forgotten first).
struct ForwardingTable: Sendable {
    private var slots = BoundedSlots<ForwardingObservation>(perKey: 256, keys: 50_000)

    static func slot(_ tenantId: String, _ destination: String) -> String { "\(tenantId)/\(destination)" }

    func observations(tenantId: String, destination: String) -> [ForwardingObservation] {
        slots[Self.slot(tenantId, destination)]
    }

    /// Every observation that passes `include`.
    func observations(where include: (ForwardingObservation) -> Bool) -> [ForwardingObservation] {
        slots.lists.flatMap { $0.filter(include) }
    }

    /// Adds one; false when the table already holds it (the same record for the same address).
    mutating func add(_ observation: ForwardingObservation) -> Bool {
        slots.add(
            observation, to: Self.slot(observation.tenantId, observation.destination),
            isSame: { $0.user == observation.user && $0.source.recordId == observation.source.recordId },
            ordered: { $0.sorted { ($0.observedAt, $0.source.recordId) < ($1.observedAt, $1.source.recordId) } })
    }
}
