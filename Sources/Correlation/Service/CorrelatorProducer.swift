import Events
import Kafka
import Logging

/// Where a correlator instance writes: a plain producer, or a transactional one whose every
/// checkpoint period is one transaction (story events, commands, snapshots and input offsets).
enum CorrelatorProducer: Sendable {
    case plain(KafkaProducer)
    case transactional(KafkaTransactionalProducer)

    static func make(settings: CorrelatorSettings, logger: Logger) async throws -> CorrelatorProducer {
        guard let id = settings.transactionalID else {
            return .plain(try KafkaProducer(configuration: settings.kafka, logger: logger))
        }
        let producer = try KafkaTransactionalProducer(
            configuration: settings.kafka, transactionalID: id, logger: logger)
        do {
            try await producer.initTransactions()
        } catch {
            await producer.close()
            throw error
        }
        return .transactional(producer)
    }

    var isTransactional: Bool {
        if case .transactional = self { return true }
        return false
    }

    /// Opens the first transaction, when there are transactions.
    func begin() throws {
        if case .transactional(let producer) = self { try producer.beginTransaction() }
    }

    /// Sends records and waits until Kafka has them.
    func send(_ records: [KafkaProducerRecord]) async throws {
        guard !records.isEmpty else { return }
        switch self {
        case .plain(let producer): _ = try await producer.send(contentsOf: records)
        case .transactional(let producer): try await producer.send(contentsOf: records)
        }
    }

    /// Makes a checkpoint final: commits the consumer offsets (plain), or the transaction with
    /// them in it, then opens the next one unless this was the last.
    func commit(_ offsets: [KafkaOffset], consumer: KafkaConsumer, logger: Logger, beginNext: Bool) async throws {
        switch self {
        case .plain:
            guard !offsets.isEmpty else { return }
            do {
                try await consumer.commit(offsets)
            } catch {
                // The state topic holds the truth; committed offsets only help a restore without it.
                logger.debug("offset commit failed: \(error)")
            }
        case .transactional(let producer):
            var failure: KafkaError?
            do {
                if !offsets.isEmpty { try await producer.sendOffsets(offsets, consumer: consumer) }
                try await producer.commitTransaction()
            } catch {
                failure = error
            }
            if let failure {
                // Whatever the kind (retriable, abortable, fatal), what the engine holds is ahead
                // of what Kafka committed: abort what can be, and restart from the committed state.
                if !failure.isFatal { try? await producer.abortTransaction() }
                throw CorrelatorTransactionError(reason: "the transaction could not be committed: \(failure)")
            }
            if beginNext { try producer.beginTransaction() }
        }
    }

    /// Discards the open transaction. The engine has moved past what it held, so the instance
    /// stops: restarted, it restores the committed state and replays from there.
    func abort(logger: Logger) async throws {
        guard case .transactional(let producer) = self else { return }
        try? await producer.abortTransaction()
        throw CorrelatorTransactionError(reason: "partitions were lost and the open transaction aborted")
    }

    /// Waits for everything sent (plain producer; a transaction was committed by the last checkpoint).
    func finish() async throws {
        if case .plain(let producer) = self { try await producer.flush() }
    }

    func close() async {
        switch self {
        case .plain(let producer): await producer.close()
        case .transactional(let producer): await producer.close()
        }
    }
}

/// A transaction that had to be aborted: what this instance computed since its last
/// checkpoint is gone from Kafka, so it must restart from the committed state (an orchestrator
/// restarts it; the state topic and the group make the restart exact).
public struct CorrelatorTransactionError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String {
        "\(reason); restart the correlator: it resumes from its last committed checkpoint"
    }
    public var isRetriable: Bool { true }
}
