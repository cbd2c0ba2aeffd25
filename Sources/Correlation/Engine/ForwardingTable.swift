import Events

/// Every instance's copy of which mailboxes forward where, by tenant and destination: what
/// forwarding fan-in is judged on. Bounded per destination (the newest kept) and in
/// destinations (the first seen forgotten first).
struct ForwardingTable: Sendable {
    var perDestination = 256
    var destinations = 50_000
    private var entries: [String: [ForwardingObservation]] = [:]
    private var order: [String] = []
    private var orderStart = 0

    static func slot(_ tenantId: String, _ destination: String) -> String { "\(tenantId)/\(destination)" }

    func observations(tenantId: String, destination: String) -> [ForwardingObservation] {
        entries[Self.slot(tenantId, destination)] ?? []
    }

    /// Every observation that passes `include`.
    func observations(where include: (ForwardingObservation) -> Bool) -> [ForwardingObservation] {
        entries.values.flatMap { $0.filter(include) }
    }

    /// Adds one; false when the table already holds it (the same record for the same address).
    mutating func add(_ observation: ForwardingObservation) -> Bool {
        let slot = Self.slot(observation.tenantId, observation.destination)
        var list = entries[slot] ?? []
        guard
            !list.contains(where: {
                $0.user == observation.user && $0.source.recordId == observation.source.recordId
            })
        else { return false }
        if list.isEmpty { order.append(slot) }
        list.append(observation)
        if list.count > perDestination {
            list.sort { ($0.observedAt, $0.source.recordId) < ($1.observedAt, $1.source.recordId) }
            list.removeFirst(list.count - perDestination)
        }
        entries[slot] = list
        while entries.count > destinations, orderStart < order.count {
            entries[order[orderStart]] = nil
            orderStart += 1
        }
        if orderStart > 4_096 {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        return true
    }
}
