public import Foundation

/// Puts one input partition's events — from both raw feeds — into event-time order before the
/// engine applies them, so the stories do not depend on how the two topics' fetches happened
/// to interleave or on which instance reads them.
///
/// The watermark is the smallest, over the feeds that are delivering, of the latest event time
/// seen on that feed, minus the grace. Events at or before it are released in (time, id) order;
/// an event that arrives already behind it is late: released at once and counted. A feed that
/// delivered nothing for `idleAfter` (processing time) no longer holds the watermark back, so a
/// quiet feed or the end of a replay does not stall the others. It only moves forward.
public struct PartitionTimeline: Sendable {
    /// An event waiting for the watermark, with where it came from.
    public struct Entry: Sendable, Hashable {
        /// The event lives in a box: a `SecurityEvent` is a large value, and the waiting list
        /// moves entries whenever one arrives out of order.
        private let box: EventBox
        public var feed: RawInput.Feed
        public var offset: Int64
        public var isLate: Bool
        /// Kept beside the box: the ordering reads it for every comparison.
        let time: Date

        public var event: SecurityEvent { box.event }

        init(event: SecurityEvent, feed: RawInput.Feed, offset: Int64, isLate: Bool) {
            box = EventBox(event)
            time = event.time
            self.feed = feed
            self.offset = offset
            self.isLate = isLate
        }

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.event, lhs.feed, lhs.offset, lhs.isLate) == (rhs.event, rhs.feed, rhs.offset, rhs.isLate)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(event)
            hasher.combine(feed)
            hasher.combine(offset)
            hasher.combine(isLate)
        }
    }

    /// An immutable event on the heap.
    final class EventBox: Sendable {
        let event: SecurityEvent
        init(_ event: SecurityEvent) { self.event = event }
    }

    public var grace: Duration
    public var idleAfter: Duration
    /// Beyond this many waiting events the earliest are released early (the watermark moves up to them).
    public var capacity: Int

    /// Waiting events in release order, from `head` on: released ones stay in front until a
    /// compaction, so releasing the earliest does not move every later one each time.
    private var buffer: [Entry] = []
    private var head = 0
    var pending: ArraySlice<Entry> { buffer[head...] }
    /// Everything at or before this event time has been released.
    public private(set) var watermark: Date?
    private(set) var latest: [RawInput.Feed: Date] = [:]
    private var lastArrival: [RawInput.Feed: ContinuousClock.Instant] = [:]
    private var startedAt: ContinuousClock.Instant
    /// Next offset to read, per feed.
    private(set) var nextOffset: [RawInput.Feed: Int64] = [:]

    public init(grace: Duration, idleAfter: Duration, capacity: Int = 100_000, startedAt: ContinuousClock.Instant) {
        self.grace = grace
        self.idleAfter = idleAfter
        self.capacity = capacity
        self.startedAt = startedAt
    }

    /// Resumes where a checkpoint left off: the watermark it had, and the latest times per feed.
    public init(
        grace: Duration, idleAfter: Duration, capacity: Int = 100_000, startedAt: ContinuousClock.Instant,
        resuming checkpoint: PartitionCheckpoint.Progress
    ) {
        self.init(grace: grace, idleAfter: idleAfter, capacity: capacity, startedAt: startedAt)
        watermark = checkpoint.watermark
        for (feed, time) in checkpoint.latest { latest[feed] = time }
        // Reading resumes there: a feed with nothing new since keeps its place in later checkpoints.
        for (key, offset) in checkpoint.resume {
            if let feed = RawInput.Feed(rawValue: key) { nextOffset[feed] = offset }
        }
    }

    public var pendingCount: Int { buffer.count - head }

    /// The first offset per feed whose record may not be applied yet: where a replay must start.
    public func resumeOffsets() -> [RawInput.Feed: Int64] {
        var offsets = nextOffset
        for entry in pending {
            offsets[entry.feed] = min(offsets[entry.feed] ?? entry.offset, entry.offset)
        }
        return offsets
    }

    /// Takes one event in; returns what is ready to apply, in order.
    public mutating func admit(
        _ event: SecurityEvent, feed: RawInput.Feed, offset: Int64, now: ContinuousClock.Instant
    ) -> [Entry] {
        nextOffset[feed] = max(nextOffset[feed] ?? 0, offset + 1)
        lastArrival[feed] = now
        // A state read at collection time (a profile, a rule as it is now) is not a point in the
        // feed's event time: counting it would race the feed's stream time hours ahead and make
        // every real event after it late.
        if !event.isCollectionTimed { latest[feed] = max(latest[feed] ?? event.time, event.time) }
        if let watermark, event.time <= watermark {
            return [Entry(event: event, feed: feed, offset: offset, isLate: true)] + release(now: now)
        }
        let entry = Entry(event: event, feed: feed, offset: offset, isLate: false)
        // Most records arrive in order: appending is the common case.
        if let last = buffer.last, buffer.count > head, Self.precedes(entry, last) {
            let index = buffer[head...].partitioningIndex { Self.precedes(entry, $0) }
            buffer.insert(entry, at: index)
        } else {
            buffer.append(entry)
        }
        return release(now: now)
    }

    /// Records that a feed's offset moved without an event (a record skipped or dead-lettered).
    public mutating func skip(feed: RawInput.Feed, offset: Int64, now: ContinuousClock.Instant) {
        nextOffset[feed] = max(nextOffset[feed] ?? 0, offset + 1)
        lastArrival[feed] = now
    }

    /// True when no feed delivered anything for `idleAfter`: nothing more is coming for now.
    public func isIdle(now: ContinuousClock.Instant) -> Bool {
        [RawInput.Feed.audit, .mail].allSatisfy { now - (lastArrival[$0] ?? startedAt) >= idleAfter }
    }

    /// Releases what idleness allows: call when no input arrived for a while.
    public mutating func tick(now: ContinuousClock.Instant) -> [Entry] {
        release(now: now)
    }

    /// Releases everything, whatever the watermark (the end of a bounded replay).
    public mutating func drain() -> [Entry] {
        if let last = pending.last?.time { watermark = max(watermark ?? last, last) }
        defer {
            buffer.removeAll()
            head = 0
        }
        return Array(pending)
    }

    private mutating func release(now: ContinuousClock.Instant) -> [Entry] {
        if let target = target(now: now), target > (watermark ?? .distantPast) { watermark = target }
        var end = head
        if let watermark {
            while end < buffer.count && buffer[end].time <= watermark { end += 1 }
        }
        if buffer.count - end > capacity {
            end = buffer.count - capacity
            let time = buffer[end - 1].time
            watermark = max(watermark ?? time, time)
        }
        guard end > head else { return [] }
        let released = Array(buffer[head..<end])
        head = end
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4_096 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        return released
    }

    /// The watermark the feeds allow now.
    private func target(now: ContinuousClock.Instant) -> Date? {
        var holding: [Date] = []
        var anyBlocked = false
        for feed in [RawInput.Feed.audit, .mail] {
            let active = now - (lastArrival[feed] ?? startedAt) < idleAfter
            guard active else { continue }
            if let time = latest[feed] { holding.append(time) } else { anyBlocked = true }
        }
        if anyBlocked { return nil }
        if let slowest = holding.min() { return slowest.addingTimeInterval(-grace.seconds) }
        // Every feed is idle: nothing more is coming for now, so nothing need wait (not even a
        // state collected after the latest event).
        return [latest.values.max(), pending.last?.time].compactMap { $0 }.max()
    }

    static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        if lhs.time != rhs.time { return lhs.time < rhs.time }
        return lhs.event.id < rhs.event.id
    }
}

extension RandomAccessCollection where Index == Int {
    /// The first index whose element satisfies `belongsAfter` (elements must be partitioned by it).
    func partitioningIndex(where belongsAfter: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
