/// A record read from a topic.
///
/// A message from a consumer keeps librdkafka's buffer until the message is
/// dropped; `key`, `value` and `headers` are copied out when read, and
/// `withUnsafeValue` reads the value in place. Keep decoded values, not messages,
/// for long: a retained message pins memory librdkafka fetched.
public struct KafkaConsumerMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the epoch, as the producer or broker stamped it; nil when absent.
    public var timestampMilliseconds: Int64?
    private var content: Content

    private enum Content: Sendable {
        case owned(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])
        case librdkafka(RDKafkaMessage)
    }

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
        self.timestampMilliseconds = timestampMilliseconds
        self.content = .owned(key: key, value: value, headers: headers)
    }

    init(topic: String, raw: RDKafkaMessage, timestampMilliseconds: Int64?) {
        self.topic = topic
        self.partition = raw.pointer.pointee.partition
        self.offset = raw.pointer.pointee.offset
        self.timestampMilliseconds = timestampMilliseconds
        self.content = .librdkafka(raw)
    }

    public var key: [UInt8]? {
        get {
            switch content {
            case .owned(let key, _, _): key
            case .librdkafka(let raw): raw.key.map(Array.init)
            }
        }
        set { content = .owned(key: newValue, value: value, headers: headers) }
    }

    public var value: [UInt8]? {
        get {
            switch content {
            case .owned(_, let value, _): value
            case .librdkafka(let raw): raw.value.map(Array.init)
            }
        }
        set { content = .owned(key: key, value: newValue, headers: headers) }
    }

    public var headers: [KafkaHeader] {
        get {
            switch content {
            case .owned(_, _, let headers): headers
            case .librdkafka(let raw): raw.headers
            }
        }
        set { content = .owned(key: key, value: value, headers: newValue) }
    }

    /// The last header of that name as UTF-8 text, reading only it: a stage that needs one
    /// header (`ce_id`) on every record need not copy out all of them.
    public func lastHeaderText(named name: String) -> String? {
        switch content {
        case .owned(_, _, let headers): headers.last(named: name)?.stringValue
        case .librdkafka(let raw): raw.lastHeader(named: name).flatMap { String(validating: $0, as: UTF8.self) }
        }
    }

    /// Reads the value without copying it (nil for a record with a null value).
    public func withUnsafeValue<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        switch content {
        case .owned(_, let value, _):
            guard let value else { return try body(nil) }
            return try value.withUnsafeBytes { try body($0) }
        case .librdkafka(let raw):
            return try body(raw.value)
        }
    }

    /// Reads the key without copying it (nil for a record without a key).
    public func withUnsafeKey<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        switch content {
        case .owned(let key, _, _):
            guard let key else { return try body(nil) }
            return try key.withUnsafeBytes { try body($0) }
        case .librdkafka(let raw):
            return try body(raw.key)
        }
    }

    public var topicPartition: KafkaTopicPartition { .init(topic: topic, partition: partition) }

    /// The position to commit once this message is processed: the next offset.
    public var nextOffset: KafkaOffset { .init(topicPartition: topicPartition, offset: offset + 1) }

    public var keyString: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.topic == rhs.topic && lhs.partition == rhs.partition && lhs.offset == rhs.offset
            && lhs.timestampMilliseconds == rhs.timestampMilliseconds && lhs.key == rhs.key
            && lhs.value == rhs.value && lhs.headers == rhs.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(partition)
        hasher.combine(offset)
        hasher.combine(key)
        hasher.combine(value)
    }
}
