import CRdKafka
public import Logging
import Synchronization

/// Reads topics as a member of a consumer group.
///
/// Messages and rebalances arrive through `events`, an `AsyncSequence` that
/// fetches from librdkafka only when the caller asks for more, so librdkafka's
/// own bounded fetch queue is the only buffer. Offsets are stored only when
/// the caller says a message is processed (`store`), and committed by `commit`.
public final class KafkaConsumer: Sendable {
    let client: RDKafkaClient
    /// The consumer queue (messages and rebalances), read in batches.
    private let queue: SendablePointer
    private let state: Mutex<ConsumerState>
    public let configuration: KafkaConfiguration
    private let logger: Logger
    /// How many messages one trip to librdkafka may return at most.
    let maxBatch: Int
    /// Whether messages read count in `inboxwatch_kafka_records_consumed_total` (not for
    /// restore reads, which read the same records again on every assignment).
    let countsRecords: Bool
    private let lag = Mutex(ConsumerLag())

    /// Joins `groupID` and subscribes to `topics`. Fails at once on a bad property.
    public init(
        configuration: KafkaConfiguration,
        groupID: String,
        topics: [String],
        maxBatch: Int = 512,
        logger: Logger = Logger(label: "inboxwatch.kafka.consumer"),
        countsRecords: Bool = true
    ) throws(KafkaError) {
        guard !topics.isEmpty else {
            throw KafkaError(code: .invalidArgument, message: "a consumer needs at least one topic")
        }
        var configuration = configuration.withDefaults(KafkaConfiguration.consumerDefaults)
        configuration["group.id"] = groupID
        self.configuration = configuration
        self.logger = logger
        self.maxBatch = max(1, maxBatch)
        self.countsRecords = countsRecords
        let state = Mutex(ConsumerState())
        self.state = state
        let box = WeakStateBox()
        let context = ClientContext(logger: logger) { notice in
            box.decide(notice)
        }
        client = try RDKafkaClient.make(kind: .consumer, configuration: configuration, context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        }
        rd_kafka_poll_set_consumer(client.handle)
        queue = SendablePointer(rd_kafka_queue_get_consumer(client.handle))
        box.consumer = self
        try TopicPartitionList.with(topics.map { KafkaOffset(topic: $0, partition: -1, offset: 0) }) {
            (list) throws(KafkaError) in
            let err = rd_kafka_subscribe(client.handle, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(err, code: .consumer, context: "subscribe to \(topics.joined(separator: ", "))")
            }
        }
        logger.debug("consumer subscribed", metadata: ["group": "\(groupID)", "topics": "\(topics)"])
    }

    /// Messages and rebalances, in order. Iterate it from one task only.
    public var events: KafkaConsumerEvents { KafkaConsumerEvents(consumer: self) }

    /// The same events, waiting at most this long per trip to librdkafka: 0 takes only what is
    /// already fetched, for a side input a loop drains between the events of its main one.
    public func events(pollTimeoutMilliseconds: Int32) -> KafkaConsumerEvents {
        var events = KafkaConsumerEvents(consumer: self)
        events.pollTimeoutMilliseconds = max(0, pollTimeoutMilliseconds)
        return events
    }

    /// The partitions this consumer currently reads.
    public var assignment: [KafkaTopicPartition] { state.withLock { $0.assignment.sorted() } }

    var isClosing: Bool { state.withLock { $0.phase != .consuming } }

    func decide(_ notice: RebalanceNotice) -> RebalanceDecision {
        state.withLock { $0.rebalanceAnnounced(notice) }
    }

    /// While handling `partitionsAssigned`: start these partitions at these offsets
    /// instead of the committed ones (e.g. where a restored state snapshot ends).
    public func setStartOffsets(_ offsets: [KafkaOffset]) {
        state.withLock { $0.setStartOffsets(offsets) }
    }

    /// Marks a message processed: its next offset will be committed by `commit()`.
    /// Fails if the partition is no longer assigned to this consumer.
    public func store(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try store([message.nextOffset])
    }

    public func store(_ offsets: [KafkaOffset]) throws(KafkaError) {
        try TopicPartitionList.with(offsets) { (list) throws(KafkaError) in
            let err = rd_kafka_offsets_store(client.handle, list)
            if let (partition, perPartition) = TopicPartitionList.firstError(of: list) {
                throw KafkaError.from(perPartition, code: .consumer, context: "store offset for \(partition)")
            }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(err, code: .consumer, context: "store offsets")
            }
        }
    }

    /// Sets `inboxwatch_kafka_consumer_lag{topic,partition}` for each assigned partition, at most
    /// once per `interval` (call it from a loop as often as convenient).
    public func recordLag(every interval: Duration = .seconds(5)) {
        guard lag.withLock({ $0.due(now: .now, every: interval) }) else { return }
        let assignment = self.assignment
        lag.withLock { $0.sample(assignment, handle: client.handle) }
    }

    /// Why the brokers look unreachable, or nil while they answer.
    public var brokerProblem: String? { client.context.brokerProblem.withLock { $0 } }

    /// Asks the cluster for its metadata: true (and ``brokerProblem`` cleared) when a broker
    /// answers within the timeout, false (and the problem set) otherwise.
    public func checkBroker(timeoutMilliseconds: Int32 = 2_000) async -> Bool {
        await client.checkBroker(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Commits the stored offsets and waits for the group coordinator to accept them.
    public func commit() async throws(KafkaError) {
        let handle = SendablePointer(client.handle)
        try await client.blocking.run { () throws(KafkaError) in
            let err = rd_kafka_commit(handle.pointer, nil, 0)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError.from(err, code: .consumer, context: "commit stored offsets")
            }
        }
    }

    /// Commits exactly these offsets (the next offset to read, per partition).
    public func commit(_ offsets: [KafkaOffset]) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let handle = SendablePointer(client.handle)
        try await client.blocking.run { () throws(KafkaError) in
            try TopicPartitionList.with(offsets) { (list) throws(KafkaError) in
                let err = rd_kafka_commit(handle.pointer, list, 0)
                if let (partition, perPartition) = TopicPartitionList.firstError(of: list) {
                    throw KafkaError.from(perPartition, code: .consumer, context: "commit offset for \(partition)")
                }
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.from(err, code: .consumer, context: "commit offsets")
                }
            }
        }
    }

    /// The group's committed offsets for these partitions (-1001 where none is committed).
    public func committed(_ partitions: [KafkaTopicPartition], timeoutMilliseconds: Int32 = 10_000)
        async throws(KafkaError) -> [KafkaOffset]
    {
        let handle = SendablePointer(client.handle)
        return try await client.blocking.run { () throws(KafkaError) -> [KafkaOffset] in
            try TopicPartitionList.with(partitions.map { KafkaOffset(topicPartition: $0, offset: -1001) }) {
                (list) throws(KafkaError) -> [KafkaOffset] in
                let err = rd_kafka_committed(handle.pointer, list, timeoutMilliseconds)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.from(err, code: .consumer, context: "read committed offsets")
                }
                return TopicPartitionList.offsets(of: list)
            }
        }
    }

    /// The earliest offset still on the broker and the offset after the last
    /// record of a partition (its high watermark), as the broker reports them now.
    public func watermarks(of partition: KafkaTopicPartition, timeoutMilliseconds: Int32 = 10_000)
        async throws(KafkaError) -> (low: Int64, high: Int64)
    {
        let handle = SendablePointer(client.handle)
        return try await client.blocking.run { () throws(KafkaError) -> KafkaWatermarks in
            var low: Int64 = -1
            var high: Int64 = -1
            let err = rd_kafka_query_watermark_offsets(
                handle.pointer, partition.topic, partition.partition, &low, &high, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(err, code: .consumer, context: "query watermarks of \(partition)")
            }
            return KafkaWatermarks(low: low, high: high)
        }.pair
    }

    /// Stops fetching these partitions until `resume`; the assignment is kept.
    /// While handling `partitionsAssigned`, pausing one of those partitions takes
    /// effect as soon as it is assigned, before anything of it is fetched.
    public func pause(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        let now = state.withLock { $0.pauseRequested(partitions) }
        if !now.isEmpty { try pauseOrResume(now, pause: true) }
    }

    public func resume(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        state.withLock { $0.resumeRequested(partitions) }
        try pauseOrResume(partitions, pause: false)
    }

    private func pauseOrResume(_ partitions: [KafkaTopicPartition], pause: Bool) throws(KafkaError) {
        try TopicPartitionList.with(partitions.map { KafkaOffset(topicPartition: $0, offset: 0) }) {
            (list) throws(KafkaError) in
            let err =
                pause ? rd_kafka_pause_partitions(client.handle, list) : rd_kafka_resume_partitions(client.handle, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(err, code: .consumer, context: pause ? "pause partitions" : "resume partitions")
            }
        }
    }

    /// Moves the read position of assigned partitions.
    public func seek(_ offsets: [KafkaOffset], timeoutMilliseconds: Int32 = 10_000) async throws(KafkaError) {
        let handle = SendablePointer(client.handle)
        try await client.blocking.run { () throws(KafkaError) in
            try TopicPartitionList.with(offsets) { (list) throws(KafkaError) in
                if let error = rd_kafka_seek_partitions(handle.pointer, list, timeoutMilliseconds) {
                    throw KafkaError.consuming(error, code: .consumer, context: "seek")
                }
                if let (partition, err) = TopicPartitionList.firstError(of: list) {
                    throw KafkaError.from(err, code: .consumer, context: "seek \(partition)")
                }
            }
        }
    }

    /// Leaves the group cleanly: the partitions are revoked (and handed to other
    /// members at once) and the client is stopped. Commit before closing.
    public func close() async {
        guard state.withLock({ $0.beginClosing() }) else { return }
        let handle = SendablePointer(client.handle)
        await client.blocking.run { [self] in
            // A rebalance the caller saw but librdkafka was not yet told about.
            if let notice = state.withLock({ $0.takeShown() }) { apply(notice) }
            let err = rd_kafka_consumer_close(handle.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("consumer close: \(String(cString: rd_kafka_err2str(err)))")
            }
            state.withLock { $0.finishClosing() }
            rd_kafka_queue_destroy(queue.pointer)
        }
    }

    deinit {
        let handle = SendablePointer(client.handle)
        let (client, queue) = (self.client, self.queue)
        let open = state.withLock { $0.beginClosing() }
        client.blocking.async {
            if open {
                rd_kafka_consumer_close(handle.pointer)
                rd_kafka_queue_destroy(queue.pointer)
            }
            withExtendedLifetime(client) {}
        }
    }

    // MARK: - Fetching (runs on the layer's queue)

    /// One trip to librdkafka: applies a rebalance the caller has handled, then
    /// returns up to `maxBatch` events, waiting up to `timeout` for the first.
    func fetch(timeoutMilliseconds: Int32) async throws(KafkaError) -> [KafkaConsumerEvent] {
        try await client.blocking.run { [self] () throws(KafkaError) -> [KafkaConsumerEvent] in
            try fetchBlocking(timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    private func fetchBlocking(timeoutMilliseconds: Int32) throws(KafkaError) -> [KafkaConsumerEvent] {
        guard state.withLock({ $0.phase == .consuming }) else { return [] }
        if let notice = state.withLock({ $0.takeShown() }) { apply(notice) }
        return try withUnsafeTemporaryAllocation(
            of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: maxBatch
        ) { (raws) throws(KafkaError) -> [KafkaConsumerEvent] in
            let count = receive(into: raws, timeoutMilliseconds: timeoutMilliseconds)
            var events: [KafkaConsumerEvent] = []
            events.reserveCapacity(count + 1)
            var reader = MessageReader()
            var failure: KafkaError?
            for index in 0..<count {
                guard let raw = raws[index] else { continue }
                do throws(KafkaError) {
                    if let message = try reader.read(raw, client: client, logger: logger) {
                        events.append(.message(message))
                    }
                } catch {
                    failure = failure ?? error
                }
            }
            if let failure { throw failure }
            if !events.isEmpty {
                // Messages came from a broker: it is reachable, whatever librdkafka said before.
                client.context.brokerProblem.withLock { $0 = nil }
                if countsRecords {
                    KafkaMetrics.count(
                        KafkaMetrics.consumed,
                        topics: events.lazy.compactMap { if case .message(let m) = $0 { m.topic } else { nil } })
                }
            }
            // A rebalance announced while these were read comes after them: they were fetched
            // while their partitions were still ours, and librdkafka is told about the rebalance
            // only when the caller asks for the next event, so nothing of a revoked partition follows.
            if let rebalance = state.withLock({ $0.takeAnnounced() }) { events.append(rebalance) }
            return events
        }
    }

    /// Takes what librdkafka has queued in one call, waiting up to the timeout only
    /// when nothing is there (a batch call would wait to fill the whole batch).
    private func receive(
        into raws: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>,
        timeoutMilliseconds: Int32
    ) -> Int {
        let ready = rd_kafka_consume_batch_queue(queue.pointer, 0, raws.baseAddress, raws.count)
        if ready != 0 { return max(0, ready) }
        guard let first = rd_kafka_consumer_poll(client.handle, timeoutMilliseconds) else { return 0 }
        raws[0] = first
        guard raws.count > 1 else { return 1 }
        return 1 + max(0, rd_kafka_consume_batch_queue(queue.pointer, 0, raws.baseAddress! + 1, raws.count - 1))
    }

    /// Tells librdkafka about a rebalance the caller has now handled.
    fileprivate func apply(_ notice: RebalanceNotice) {
        if let failure = applyRebalance(client.handle, notice) {
            logger.error("could not apply rebalance: \(failure)")
        }
        state.withLock { $0.applied(notice) }
        let pauses = state.withLock { $0.takePausesOnAssign() }
        if !pauses.isEmpty {
            do throws(KafkaError) {
                try pauseOrResume(pauses, pause: true)
            } catch {
                logger.error("could not pause newly assigned partitions: \(error)")
            }
        }
    }
}

/// Lets the rebalance callback reach the consumer without a reference cycle
/// (consumer → client → context → callback → consumer). Unchecked because the
/// reference is written once, in the consumer's init, before librdkafka can call
/// back: rebalance callbacks run only inside the consumer's own polls.
private final class WeakStateBox: @unchecked Sendable {
    weak var consumer: KafkaConsumer?

    func decide(_ notice: RebalanceNotice) -> RebalanceDecision {
        consumer?.decide(notice) ?? .applyNow
    }
}

private let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { rk, err, partitions, opaque in
        guard let rk, let context = ClientContext.of(opaque) else { return }
        // NULL when the protocol is not known (yet, or any more while the consumer closes):
        // treated as eager, which is what an unknown protocol falls back to.
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        let offsets = partitions.map { TopicPartitionList.offsets(of: $0) } ?? []
        let kind: RebalanceNotice.Kind =
            switch err {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS: .assign
            case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS: .revoke(lost: rd_kafka_assignment_lost(rk) != 0)
            default: .error(String(cString: rd_kafka_err2str(err)))
            }
        let notice = RebalanceNotice(kind: kind, partitions: offsets, isCooperative: cooperative)
        context.logger.debug("rebalance", metadata: ["kind": "\(kind)", "partitions": "\(offsets.count)"])
        guard let decide = context.rebalance else { return }
        // Only during close or after the consumer is gone: librdkafka waits for this call.
        guard decide(notice) == .applyNow else { return }
        if let failure = applyRebalance(rk, notice.whileLeaving) {
            context.logger.error("could not apply rebalance while closing: \(failure)")
        }
    }

extension RebalanceNotice {
    /// What to answer while the consumer is leaving the group: an eager assignment is
    /// answered with an empty one. Taking partitions during `rd_kafka_consumer_close`
    /// blocked librdkafka 2.0.2 for good (seen as a hung test: `rd_kafka_assign` waiting
    /// in the rebalance callback that close was serving).
    var whileLeaving: RebalanceNotice {
        guard case .assign = kind, !isCooperative else { return self }
        return RebalanceNotice(kind: .revoke(lost: false), partitions: [], isCooperative: false)
    }
}

/// Carries a watermark pair across the layer's queue.
struct KafkaWatermarks: Sendable {
    var low: Int64
    var high: Int64
    var pair: (low: Int64, high: Int64) { (low, high) }
}
