/// A partition of a topic, as consumers are assigned and offsets are committed.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// A position in a partition: the offset of the next record to read, as Kafka commits it.
public struct KafkaOffset: Sendable, Hashable, CustomStringConvertible {
    public var topicPartition: KafkaTopicPartition
    public var offset: Int64

    public init(topicPartition: KafkaTopicPartition, offset: Int64) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public init(topic: String, partition: Int32, offset: Int64) {
        self.init(topicPartition: .init(topic: topic, partition: partition), offset: offset)
    }

    public var description: String { "\(topicPartition)@\(offset)" }

    /// The earliest offset still on the broker.
    public static let beginning: Int64 = -2
    /// The offset after the last record (only new records are read).
    public static let end: Int64 = -1
}
