public import Events
public import Kafka
public import Logging

/// Makes sure only one collector runs per tenant and source kind, and hands the holder the
/// checkpoints it must resume from.
///
/// The lease is a consumer group of its own (`inboxwatch.collector.<kind>.<tenant>`) on the
/// checkpoint topic, which has one partition: Kafka gives that partition to exactly one member
/// of the group, and that member holds the lease. A second collector for the same tenant waits
/// in the group; when the holder stops or dies (after its session timeout), Kafka moves the
/// partition and the waiting collector takes over from the last checkpoint. No clock, no extra
/// store: the broker's group coordinator is the arbiter. A holder that loses the partition
/// (revoked, or its session expired) stops collecting before it asks Kafka for anything else.
///
/// Because the holder reads the partition from its start anyway, acquiring the lease also
/// restores the tenant's checkpoints (the last one per source wins).
public final class CollectorLease: Sendable {
    public let tenantId: String
    public let kind: String
    private let consumer: KafkaConsumer
    private let topic: String
    private let logger: Logger

    /// The group that is the lease.
    public static func groupID(kind: String, tenantId: String) -> String {
        "inboxwatch.collector.\(kind).\(tenantId.keyNormalized)"
    }

    /// Joins the lease group. `sessionTimeout` bounds how long a crashed holder keeps the lease.
    public init(
        kafka: KafkaConfiguration, catalog: TopicCatalog, kind: String, tenantId: String,
        sessionTimeoutMilliseconds: Int = 10_000, logger: Logger
    ) throws(CollectorError) {
        var configuration = kafka
        configuration["session.timeout.ms"] = String(sessionTimeoutMilliseconds)
        configuration["heartbeat.interval.ms"] = String(max(100, sessionTimeoutMilliseconds / 10))
        // Eager assignment: the partition is taken from the old holder before anyone gets it.
        configuration["partition.assignment.strategy"] = "range"
        self.tenantId = tenantId
        self.kind = kind
        self.topic = catalog.collectorCheckpoints
        self.logger = logger
        do {
            consumer = try KafkaConsumer(
                configuration: configuration, groupID: Self.groupID(kind: kind, tenantId: tenantId),
                topics: [catalog.collectorCheckpoints], logger: logger)
        } catch {
            throw CollectorError(
                code: .checkpointFailed, message: "cannot join the lease group for \(kind) of \(tenantId): \(error)",
                isRetriable: error.isRetriable)
        }
    }

    /// The checkpoints restored when the lease was taken, by source.
    public typealias Checkpoints = [String: CollectorCheckpoint]

    /// How a stretch of holding the lease ended.
    public enum Tenure: Sendable, Hashable {
        /// The work finished on its own.
        case finished
        /// Another collector took over (revoked, or this member's session expired).
        case lost
        /// The task was cancelled (shutdown).
        case cancelled
    }

    /// Runs `work` whenever this collector holds the lease, until it finishes, fails or the task
    /// is cancelled: a lost lease cancels `work`, and the collector waits to take the lease back
    /// rather than exit. The group is left on the way out, handing the lease on at once.
    public func run(_ work: @escaping @Sendable (Checkpoints) async throws(CollectorError) -> Void)
        async throws(CollectorError)
    {
        while !Task.isCancelled {
            let tenure: Tenure
            do {
                tenure = try await whileHeld(work)
            } catch {
                await release()
                throw error
            }
            guard tenure == .lost else { break }
            logger.warning(
                "collection stopped: lease lost; waiting to take it back",
                metadata: ["tenant": "\(tenantId)", "kind": "\(kind)"])
        }
        await release()
    }

    /// Waits until this collector holds the lease, restores the tenant's checkpoints of this
    /// kind, and runs `work` with them while the lease is held. If the lease is lost, `work` is
    /// cancelled and this returns `.lost` once it has stopped; the caller may then wait again.
    public func whileHeld(
        _ work: @escaping @Sendable (Checkpoints) async throws(CollectorError) -> Void
    ) async throws(CollectorError) -> Tenure {
        var iterator = consumer.events.makeAsyncIterator()
        guard let checkpoints = try await acquire(&iterator) else { return .cancelled }
        let watcher = iterator
        let outcome = await withTaskGroup(of: Result<Tenure, CollectorError>?.self) { group in
            group.addTask {
                do throws(CollectorError) {
                    try await work(checkpoints)
                    return .success(Task.isCancelled ? .cancelled : .finished)
                } catch {
                    return .failure(error)
                }
            }
            group.addTask { [self] in
                var events = watcher
                do throws(CollectorError) {
                    return try await watch(&events) ? .success(.lost) : nil
                } catch {
                    return .failure(error)
                }
            }
            var first: Result<Tenure, CollectorError> = .success(.cancelled)
            for await result in group {
                guard let result else { continue }
                first = result
                break
            }
            group.cancelAll()
            return first
        }
        return try outcome.get()
    }

    private func acquire(_ iterator: inout KafkaConsumerEvents.Iterator) async throws(CollectorError) -> Checkpoints? {
        var reported = false
        while true {
            guard let event = try await next(&iterator, failing: .checkpointFailed) else { return nil }
            switch event {
            case .partitionsAssigned(let partitions) where partitions.contains(leasePartition):
                consumer.setStartOffsets([KafkaOffset(topicPartition: leasePartition, offset: KafkaOffset.beginning)])
                logger.info("lease acquired", metadata: ["tenant": "\(tenantId)", "kind": "\(kind)"])
                return try await readCheckpoints(&iterator)
            case .partitionsAssigned, .partitionsRevoked, .message:
                if !reported {
                    reported = true
                    logger.notice(
                        "another collector holds the lease for this tenant; waiting for it to stop",
                        metadata: ["tenant": "\(tenantId)", "kind": "\(kind)", "group": "\(consumerGroup)"])
                }
            }
        }
    }

    /// True when the lease is lost; nil-ish false when the sequence ends (cancelled, closed).
    /// Reading events also keeps the membership alive.
    private func watch(_ iterator: inout KafkaConsumerEvents.Iterator) async throws(CollectorError) -> Bool {
        while true {
            guard let event = try await next(&iterator, failing: .leaseLost) else { return false }
            if case .partitionsRevoked(let partitions, _) = event, partitions.contains(leasePartition) {
                logger.warning(
                    "lease lost; stopping collection", metadata: ["tenant": "\(tenantId)", "kind": "\(kind)"])
                return true
            }
        }
    }

    /// Leaves the group, handing the lease to a waiting collector at once.
    public func release() async { await consumer.close() }

    // MARK: -

    private var leasePartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: 0) }
    private var consumerGroup: String { Self.groupID(kind: kind, tenantId: tenantId) }

    /// The next event of the lease group; a Kafka failure becomes `code`.
    private func next(_ iterator: inout KafkaConsumerEvents.Iterator, failing code: CollectorError.Code)
        async throws(CollectorError) -> KafkaConsumerEvent?
    {
        do {
            return try await iterator.next()
        } catch {
            throw CollectorError(
                code: code, message: "lease group \(consumerGroup) on \(topic): \(error)",
                isRetriable: error.isRetriable || code == .leaseLost)
        }
    }

    private func readCheckpoints(_ iterator: inout KafkaConsumerEvents.Iterator) async throws(CollectorError)
        -> Checkpoints
    {
        let marks: (low: Int64, high: Int64)
        do {
            marks = try await consumer.watermarks(of: leasePartition)
        } catch {
            throw CollectorError(
                code: .checkpointFailed, message: "cannot read the end of \(topic): \(error)", isRetriable: true)
        }
        var checkpoints: Checkpoints = [:]
        guard marks.high > marks.low else { return checkpoints }
        let prefix = TopicKeys.checkpoint(tenantID: tenantId, source: "\(kind)/")
        let decoder = BoundedJSONDecoder()
        while true {
            guard let event = try await next(&iterator, failing: .checkpointFailed) else {
                throw CollectorError(code: .checkpointFailed, message: "cancelled", isRetriable: true)
            }
            switch event {
            case .message(let message):
                if let key = message.keyString, key.hasPrefix(prefix), let value = message.value {
                    do {
                        let checkpoint = try decoder.decodeValue(CollectorCheckpoint.self, from: value)
                        checkpoints[checkpoint.source] = checkpoint
                    } catch {
                        // An unreadable checkpoint means resuming earlier: say so, repeat work, lose nothing.
                        logger.error(
                            "ignoring an unreadable checkpoint", metadata: ["key": "\(key)", "error": "\(error)"])
                    }
                }
                if message.offset >= marks.high - 1 { return checkpoints }
            case .partitionsRevoked:
                throw CollectorError(
                    code: .leaseLost, message: "lease for \(kind) of \(tenantId) lost while restoring checkpoints",
                    isRetriable: true)
            case .partitionsAssigned:
                continue
            }
        }
    }
}
