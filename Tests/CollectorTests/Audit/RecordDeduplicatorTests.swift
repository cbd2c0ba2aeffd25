import Collector
import Foundation
import Testing

@Suite("Record deduplicator")
struct RecordDeduplicatorTests {
    let start = Date(timeIntervalSince1970: 1_795_132_800)

    @Test("an id published within the horizon is recognised; after the horizon it is forgotten")
    func horizonBoundsMemory() {
        var dedupe = RecordDeduplicator(horizon: 3600, capacity: 100)
        dedupe.insert("a", at: start)
        #expect(dedupe.contains("a"))
        dedupe.evict(now: start.addingTimeInterval(3599))
        #expect(dedupe.contains("a"))
        dedupe.evict(now: start.addingTimeInterval(3601))
        #expect(!dedupe.contains("a"))
        #expect(dedupe.count == 0)
    }

    @Test("beyond its capacity the oldest ids go first")
    func capacityEvictsOldest() {
        var dedupe = RecordDeduplicator(horizon: 86400, capacity: 3)
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            dedupe.insert(id, at: start.addingTimeInterval(Double(index)))
        }
        #expect(dedupe.count == 3)
        #expect(!dedupe.contains("a"))
        #expect(["b", "c", "d"].allSatisfy(dedupe.contains))
    }

    @Test("re-inserting an id refreshes it, so it outlives ids inserted between")
    func reinsertRefreshes() {
        var dedupe = RecordDeduplicator(horizon: 100, capacity: 10)
        dedupe.insert("a", at: start)
        dedupe.insert("b", at: start.addingTimeInterval(50))
        dedupe.insert("a", at: start.addingTimeInterval(90))
        dedupe.evict(now: start.addingTimeInterval(160))
        #expect(dedupe.contains("a"))
        #expect(!dedupe.contains("b"))
    }
}
