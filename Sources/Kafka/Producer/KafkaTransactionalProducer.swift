import CRdKafka
public import Logging

/// A producer whose records, and the consumer offsets they were derived from,
/// become visible together or not at all (consume → transform → produce).
///
/// Every failure is classified the way librdkafka documents it: `isRetriable`
/// (call the same method again), `requiresAbort` (abort, then start a new
/// transaction) or `isFatal` (close and create a new producer; another instance
/// with the same transactional id has taken over).
public final class KafkaTransactionalProducer: Sendable {
    private let producer: KafkaProducer
    public let transactionalID: String

    public init(
        configuration: KafkaConfiguration,
        transactionalID: String,
        logger: Logger = Logger(label: "inboxwatch.kafka.transactional-producer")
    ) throws(KafkaError) {
        guard !transactionalID.isEmpty else {
            throw KafkaError(code: .invalidArgument, message: "a transactional producer needs a transactional id")
        }
        var configuration = configuration
        configuration["transactional.id"] = transactionalID
        self.transactionalID = transactionalID
        producer = try KafkaProducer(configuration: configuration, logger: logger)
    }

    private var handle: SendablePointer { SendablePointer(producer.client.handle) }

    /// Registers the transactional id with the coordinator and fences older
    /// producers with the same id. Call once before the first transaction.
    public func initTransactions(timeoutMilliseconds: Int32 = 30_000) async throws(KafkaError) {
        let handle = self.handle
        try await producer.client.blocking.run { () throws(KafkaError) in
            try check(rd_kafka_init_transactions(handle.pointer, timeoutMilliseconds), "init transactions")
        }
    }

    public func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(handle.pointer), "begin transaction")
    }

    /// Sends records inside the current transaction; returns when they are written
    /// (they stay invisible to `read_committed` readers until the commit).
    @discardableResult
    public func send(contentsOf records: [KafkaProducerRecord]) async throws(KafkaError) -> [KafkaDeliveryReport] {
        try await producer.send(contentsOf: records)
    }

    /// Adds a consumer's offsets to the transaction, so they are committed with it.
    public func sendOffsets(
        _ offsets: [KafkaOffset],
        consumer: KafkaConsumer,
        timeoutMilliseconds: Int32 = 30_000
    ) async throws(KafkaError) {
        let handle = self.handle
        let consumerHandle = SendablePointer(consumer.client.handle)
        try await producer.client.blocking.run { () throws(KafkaError) in
            guard let metadata = rd_kafka_consumer_group_metadata(consumerHandle.pointer) else {
                throw KafkaError(code: .transaction, message: "the consumer has no group metadata")
            }
            defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
            try TopicPartitionList.with(offsets) { (list) throws(KafkaError) in
                try check(
                    rd_kafka_send_offsets_to_transaction(handle.pointer, list, metadata, timeoutMilliseconds),
                    "send offsets to transaction")
            }
            withExtendedLifetime(consumer) {}
        }
    }

    /// Flushes the transaction's records and commits them with its offsets.
    public func commitTransaction(timeoutMilliseconds: Int32 = 30_000) async throws(KafkaError) {
        let handle = self.handle
        try await producer.client.blocking.run { () throws(KafkaError) in
            try check(rd_kafka_commit_transaction(handle.pointer, timeoutMilliseconds), "commit transaction")
        }
    }

    /// Discards the transaction's records and offsets.
    public func abortTransaction(timeoutMilliseconds: Int32 = 30_000) async throws(KafkaError) {
        let handle = self.handle
        try await producer.client.blocking.run { () throws(KafkaError) in
            try check(rd_kafka_abort_transaction(handle.pointer, timeoutMilliseconds), "abort transaction")
        }
    }

    /// Runs `body` in a transaction and commits it. A commit that fails
    /// retriably is retried; one that requires abort is aborted and the error
    /// thrown, so the caller can re-run the work from its last committed input.
    @discardableResult
    public func withTransaction<T: Sendable>(
        maxCommitAttempts: Int = 3,
        _ body: () async throws(KafkaError) -> T
    ) async throws(KafkaError) -> T {
        try beginTransaction()
        let result: T
        do {
            result = try await body()
        } catch {
            if !error.isFatal { try? await abortTransaction() }
            throw error
        }
        var attempt = 1
        while true {
            do {
                try await commitTransaction()
                return result
            } catch  where error.isRetriable && attempt < maxCommitAttempts {
                attempt += 1
            } catch  where error.requiresAbort {
                try await abortTransaction()
                throw error
            }
        }
    }

    public func close(timeoutMilliseconds: Int32 = 30_000) async {
        await producer.close(timeoutMilliseconds: timeoutMilliseconds)
    }
}

private func check(_ error: OpaquePointer?, _ context: String) throws(KafkaError) {
    if let error { throw KafkaError.consuming(error, code: .transaction, context: context) }
}
