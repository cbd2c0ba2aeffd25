/// A record to be written to a topic.
public struct KafkaProducerRecord: Sendable, Hashable {
    public var topic: String
    /// `nil` lets the partitioner choose from the key (murmur2, as the Java client does).
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    public init(topic: String, key: String, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: Array(key.utf8), value: value, headers: headers)
    }
}

/// Where the broker stored a record, once it acknowledged it.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// May be -1 when an idempotent retry was acknowledged without an offset.
    public var offset: Int64
}
