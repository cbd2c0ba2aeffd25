public import Foundation

/// The record ids a collector already published within a horizon, so a record Microsoft lists
/// twice (in two blobs, or in a re-listed overlap) is published once.
///
/// A pure value: ids are remembered with the time they were published and forgotten once older
/// than the horizon, and at most `capacity` ids are kept (the oldest go first), so memory is
/// bounded however busy the tenant. An id is inserted only after Kafka acknowledged it: a failed
/// publish must not make a retry skip the record.
public struct RecordDeduplicator: Sendable {
    public let horizon: TimeInterval
    public let capacity: Int
    private var seen: [String: Date] = [:]
    /// Insertion order, for eviction; entries whose id was re-inserted later are skipped lazily.
    private var order: [(id: String, at: Date)] = []
    private var orderStart = 0

    public init(horizon: TimeInterval, capacity: Int) {
        self.horizon = horizon
        self.capacity = max(1, capacity)
    }

    public var count: Int { seen.count }

    public func contains(_ id: String) -> Bool { seen[id] != nil }

    /// Remembers `id` as published at `time`.
    public mutating func insert(_ id: String, at time: Date) {
        if let existing = seen[id], existing >= time { return }
        seen[id] = time
        order.append((id, time))
        evict(now: time)
    }

    /// Forgets ids published before `now - horizon`, and the oldest beyond the capacity.
    public mutating func evict(now: Date) {
        let cutoff = now.addingTimeInterval(-horizon)
        while orderStart < order.count {
            let entry = order[orderStart]
            let current = seen[entry.id]
            if current != entry.at {
                orderStart += 1  // superseded by a later insert of the same id
            } else if entry.at < cutoff || seen.count > capacity {
                seen[entry.id] = nil
                orderStart += 1
            } else {
                break
            }
        }
        if orderStart > 1024 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
