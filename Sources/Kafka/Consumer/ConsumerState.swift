/// The consumer's own view of its assignment and of a rebalance the caller has
/// been told about but that librdkafka has not yet been asked to apply.
///
/// A value type driven by the fetch loop; it decides, it does not call librdkafka.
struct ConsumerState: Sendable {
    enum Phase: Sendable, Equatable { case consuming, closing, closed }

    private(set) var assignment: Set<KafkaTopicPartition> = []
    private(set) var phase: Phase = .consuming
    /// A rebalance announced by librdkafka, not yet shown to the caller.
    private var announced: RebalanceNotice?
    /// A rebalance shown to the caller, to apply before the next fetch.
    private var shown: RebalanceNotice?
    /// Start offsets chosen by the caller for partitions being assigned.
    private var startOffsets: [KafkaTopicPartition: Int64] = [:]
    /// Partitions the caller paused before librdkafka had them: paused once assigned.
    private var pausesOnAssign: Set<KafkaTopicPartition> = []

    mutating func rebalanceAnnounced(_ notice: RebalanceNotice) -> RebalanceDecision {
        // While closing nobody reads events: librdkafka waits for the (un)assign, so apply it now.
        guard phase == .consuming else {
            applied(notice)
            return .applyNow
        }
        announced = notice
        return .deferToCaller
    }

    /// The event to show the caller for a rebalance announced during the last poll.
    mutating func takeAnnounced() -> KafkaConsumerEvent? {
        guard let notice = announced else { return nil }
        announced = nil
        shown = notice
        let partitions = notice.partitions.map(\.topicPartition)
        switch notice.kind {
        case .assign: return .partitionsAssigned(partitions)
        case .revoke(let lost): return .partitionsRevoked(partitions, lost: lost)
        case .error:
            // A failed rebalance drops the whole assignment.
            return .partitionsRevoked(assignment.sorted(), lost: true)
        }
    }

    /// The rebalance to hand librdkafka before polling again, with the caller's start offsets.
    mutating func takeShown() -> RebalanceNotice? {
        guard var notice = shown else { return nil }
        shown = nil
        if case .assign = notice.kind {
            notice.partitions = notice.partitions.map { entry in
                var entry = entry
                if let start = startOffsets[entry.topicPartition] { entry.offset = start }
                return entry
            }
        }
        startOffsets = [:]
        return notice
    }

    /// Of the partitions to pause, those about to be assigned are remembered and
    /// paused once they are; the others are returned, to be paused now.
    mutating func pauseRequested(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        guard let shown, case .assign = shown.kind else { return partitions }
        let incoming = Set(shown.partitions.map(\.topicPartition))
        let later = partitions.filter(incoming.contains)
        pausesOnAssign.formUnion(later)
        return partitions.filter { !incoming.contains($0) }
    }

    mutating func resumeRequested(_ partitions: [KafkaTopicPartition]) {
        pausesOnAssign.subtract(partitions)
    }

    /// The pauses to apply right after an assignment was handed to librdkafka.
    mutating func takePausesOnAssign() -> [KafkaTopicPartition] {
        defer { pausesOnAssign = [] }
        return pausesOnAssign.sorted()
    }

    mutating func setStartOffsets(_ offsets: [KafkaOffset]) {
        for entry in offsets { startOffsets[entry.topicPartition] = entry.offset }
    }

    /// Records that librdkafka now has this assignment.
    mutating func applied(_ notice: RebalanceNotice) {
        let partitions = Set(notice.partitions.map(\.topicPartition))
        switch notice.kind {
        case .assign:
            assignment = notice.isCooperative ? assignment.union(partitions) : partitions
        case .revoke:
            assignment = notice.isCooperative ? assignment.subtracting(partitions) : []
        case .error:
            assignment = []
        }
    }

    mutating func beginClosing() -> Bool {
        guard phase == .consuming else { return false }
        phase = .closing
        return true
    }

    mutating func finishClosing() { phase = .closed }
}
