/// A record read from a topic.
public struct KafkaConsumerMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch, as the producer or broker stamped it; nil when absent.
    public var timestampMilliseconds: Int64?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var topicPartition: KafkaTopicPartition { .init(topic: topic, partition: partition) }

    /// The position to commit once this message is processed: the next offset.
    public var nextOffset: KafkaOffset { .init(topicPartition: topicPartition, offset: offset + 1) }

    public var keyString: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
}
