/// Which command offsets may be committed: per partition, everything below the oldest command
/// still being worked on. Commands finish out of order (one waits out throttling while the next
/// runs), so committing the last one read would lose the one still waiting if the worker died.
struct OffsetTracker: Sendable {
    private var open: [Int32: Set<Int64>] = [:]
    /// The next offset after the highest read, per partition.
    private var next: [Int32: Int64] = [:]
    private var committed: [Int32: Int64] = [:]

    mutating func begin(partition: Int32, offset: Int64) {
        open[partition, default: []].insert(offset)
        next[partition] = max(next[partition] ?? 0, offset + 1)
    }

    mutating func end(partition: Int32, offset: Int64) {
        open[partition]?.remove(offset)
    }

    /// Offsets to commit (the next offset to read, per partition) that moved since the last call.
    mutating func committable() -> [(partition: Int32, offset: Int64)] {
        var result: [(Int32, Int64)] = []
        for (partition, end) in next.sorted(by: { $0.key < $1.key }) {
            let offset = open[partition]?.min() ?? end
            guard offset > (committed[partition] ?? -1) else { continue }
            committed[partition] = offset
            result.append((partition, offset))
        }
        return result
    }

    /// Forgets partitions no longer assigned.
    mutating func drop(partitions: Set<Int32>) {
        for partition in partitions {
            open[partition] = nil
            next[partition] = nil
            committed[partition] = nil
        }
    }

    func isOpen(partition: Int32) -> Bool { !(open[partition]?.isEmpty ?? true) }
}
