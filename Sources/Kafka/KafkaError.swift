import CRdKafka

/// An error from the Kafka layer: what went wrong, and whether retrying, aborting
/// the transaction, or recreating the client is what the caller should do next.
///
/// Codes are an extensible set of static values (not an enum), in the style of
/// swift-kafka-client's `KafkaError`, so new causes can be added without breaking
/// callers that switch over the ones they know.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A configuration property is unknown or has an invalid value.
        public static let configuration = Code("configuration")
        /// librdkafka could not create the client.
        public static let clientCreation = Code("clientCreation")
        /// A message could not be enqueued or was not acknowledged by the broker.
        public static let delivery = Code("delivery")
        /// A message was not acknowledged within `message.timeout.ms`.
        public static let messageTimedOut = Code("messageTimedOut")
        /// A transactional API call failed; see the flags for what to do.
        public static let transaction = Code("transaction")
        /// Consuming, committing, seeking or (re)assigning failed.
        public static let consumer = Code("consumer")
        /// An admin request (create topics, metadata) failed.
        public static let admin = Code("admin")
        /// The embedded broker could not be started or driven.
        public static let embeddedBroker = Code("embeddedBroker")
        /// A blocking call did not complete within its timeout.
        public static let timedOut = Code("timedOut")
        /// The client was already closed.
        public static let closed = Code("closed")
        /// An argument was outside what Kafka accepts (e.g. empty topic name).
        public static let invalidArgument = Code("invalidArgument")
    }

    public var code: Code
    /// What happened, in words a person can act on (librdkafka's own message included).
    public var message: String
    /// librdkafka's error code name (e.g. `_MSG_TIMED_OUT`, `NOT_COORDINATOR`), when one applies.
    public var librdkafkaCode: String?
    /// Trying the same operation again may succeed.
    public var isRetriable: Bool
    /// The current transaction must be aborted before the producer can go on.
    public var requiresAbort: Bool
    /// The client cannot recover: close it and create a new one.
    public var isFatal: Bool

    public init(
        code: Code,
        message: String,
        librdkafkaCode: String? = nil,
        isRetriable: Bool = false,
        requiresAbort: Bool = false,
        isFatal: Bool = false
    ) {
        self.code = code
        self.message = message
        self.librdkafkaCode = librdkafkaCode
        self.isRetriable = isRetriable
        self.requiresAbort = requiresAbort
        self.isFatal = isFatal
    }

    public var description: String {
        var flags: [String] = []
        if isRetriable { flags.append("retriable") }
        if requiresAbort { flags.append("abort transaction") }
        if isFatal { flags.append("fatal: recreate the client") }
        let rd = librdkafkaCode.map { " [\($0)]" } ?? ""
        let f = flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"
        return "Kafka \(code) error\(rd): \(message)\(f)"
    }
}

extension KafkaError {
    /// Builds an error from a plain librdkafka response code.
    static func from(
        _ err: rd_kafka_resp_err_t,
        code: Code,
        context: String,
        isFatal: Bool = false
    ) -> KafkaError {
        let reason = String(cString: rd_kafka_err2str(err))
        let name = String(cString: rd_kafka_err2name(err))
        let resolvedCode: Code = err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT ? .messageTimedOut : code
        return KafkaError(
            code: resolvedCode,
            message: "\(context): \(reason)",
            librdkafkaCode: name,
            isRetriable: err.isRetriable,
            isFatal: isFatal || err == RD_KAFKA_RESP_ERR__FATAL
        )
    }

    /// Builds an error from an `rd_kafka_error_t` (which carries librdkafka's
    /// retriable / abort-required / fatal classification) and destroys it.
    static func consuming(_ error: OpaquePointer, code: Code, context: String) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let name = String(cString: rd_kafka_error_name(error))
        let text = String(cString: rd_kafka_error_string(error))
        return KafkaError(
            code: code,
            message: "\(context): \(text)",
            librdkafkaCode: name,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }
}

extension rd_kafka_resp_err_t {
    /// Transient conditions that librdkafka or the broker may clear by themselves.
    var isRetriable: Bool {
        switch self {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return true
        default:
            return false
        }
    }
}
