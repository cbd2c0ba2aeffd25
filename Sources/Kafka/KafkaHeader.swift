/// One Kafka record header, such as the CloudEvents `ce_id` or `content-type`.
public struct KafkaHeader: Sendable, Hashable {
    public var key: String
    /// `nil` is a header present without a value, which Kafka distinguishes from empty.
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(key: String, string: String) {
        self.init(key: key, value: Array(string.utf8))
    }

    /// The value as UTF-8 text, when it is text.
    public var stringValue: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}

extension Array where Element == KafkaHeader {
    /// The value of the last header with this key (Kafka allows repeats; last wins).
    public func last(named key: String) -> KafkaHeader? {
        last { $0.key == key }
    }
}
