import Events
import Foundation
import Kafka
import Metrics

/// What the correlator reports through swift-metrics: stories opened by detection and
/// criticality, the end-to-end latency from a raw record reaching Kafka to the story event it
/// caused being acknowledged, and the size of its state.
enum CorrelatorMetrics {
    static let storiesOpened = "inboxwatch_stories_opened_total"
    static let latency = "inboxwatch_story_latency_seconds"
    static let trackedUsers = "inboxwatch_correlator_tracked_users"
    static let pendingEvents = "inboxwatch_correlator_pending_events"

    static func opened(_ story: StoryView) {
        Counter(
            label: storiesOpened,
            dimensions: [("detection", story.detection), ("criticality", story.criticality.rawValue)]
        ).increment()
    }

    static func state(trackedUsers users: Int, pendingEvents pending: Int) {
        Gauge(label: trackedUsers).record(users)
        Gauge(label: pendingEvents).record(pending)
    }

    /// Records how long ago each record reached Kafka, now that its story events are acknowledged.
    static func published(since starts: [Int64]) {
        guard !starts.isEmpty else { return }
        let timer = Metrics.Timer(label: latency)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        for start in starts { timer.recordMilliseconds(max(0, now - start)) }
    }
}

/// When recent raw records reached Kafka (their Kafka timestamp, or `ce_time` without one), by
/// where they are, so a story event can be timed from the newest record it references. Bounded:
/// the oldest entries go first, and a story whose records are gone is simply not timed.
struct IngestTimes: Sendable {
    struct Key: Hashable, Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    let capacity: Int
    private var times: [Key: Int64] = [:]
    private var ring: [Key?]
    private var next = 0

    init(capacity: Int = 65_536) {
        self.capacity = capacity
        ring = Array(repeating: nil, count: capacity)
    }

    mutating func insert(_ message: KafkaConsumerMessage) {
        let at =
            message.timestampMilliseconds
            ?? message.lastHeaderText(named: "ce_time").flatMap { try? Date($0, strategy: .iso8601) }.map {
                Int64(($0.timeIntervalSince1970 * 1000).rounded())
            }
        guard let at else { return }
        let key = Key(topic: message.topic, partition: message.partition, offset: message.offset)
        if let old = ring[next] { times[old] = nil }
        ring[next] = key
        next = (next + 1) % capacity
        times[key] = at
    }

    /// The newest ingest time among these references, if any is still known.
    func newest(of references: [SourceReference]) -> Int64? {
        references.compactMap { times[Key(topic: $0.topic, partition: $0.partition, offset: $0.offset)] }.max()
    }
}
