/// A Kafka protocol request type, named as the protocol names it, for injecting
/// errors into the embedded broker.
public struct KafkaAPIKey: Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPIKey(rawValue: 0)
    public static let fetch = KafkaAPIKey(rawValue: 1)
    public static let metadata = KafkaAPIKey(rawValue: 3)
    public static let offsetCommit = KafkaAPIKey(rawValue: 8)
    public static let offsetFetch = KafkaAPIKey(rawValue: 9)
    public static let findCoordinator = KafkaAPIKey(rawValue: 10)
    public static let joinGroup = KafkaAPIKey(rawValue: 11)
    public static let heartbeat = KafkaAPIKey(rawValue: 12)
    public static let syncGroup = KafkaAPIKey(rawValue: 14)
    public static let initProducerId = KafkaAPIKey(rawValue: 22)
    public static let addPartitionsToTxn = KafkaAPIKey(rawValue: 24)
    public static let addOffsetsToTxn = KafkaAPIKey(rawValue: 25)
    public static let endTxn = KafkaAPIKey(rawValue: 26)
    public static let txnOffsetCommit = KafkaAPIKey(rawValue: 28)
}

/// A Kafka protocol error code a broker can answer with, for fault injection.
public struct KafkaProtocolError: Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let requestTimedOut = KafkaProtocolError(rawValue: 7)
    public static let notLeaderForPartition = KafkaProtocolError(rawValue: 6)
    public static let coordinatorLoadInProgress = KafkaProtocolError(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaProtocolError(rawValue: 15)
    public static let notCoordinator = KafkaProtocolError(rawValue: 16)
    public static let notEnoughReplicas = KafkaProtocolError(rawValue: 19)
    public static let rebalanceInProgress = KafkaProtocolError(rawValue: 27)
    public static let topicAuthorizationFailed = KafkaProtocolError(rawValue: 29)
    public static let concurrentTransactions = KafkaProtocolError(rawValue: 51)
    public static let invalidProducerEpoch = KafkaProtocolError(rawValue: 47)
    public static let invalidTxnState = KafkaProtocolError(rawValue: 48)
    public static let transactionalIdAuthorizationFailed = KafkaProtocolError(rawValue: 53)
    public static let producerFenced = KafkaProtocolError(rawValue: 90)
}
