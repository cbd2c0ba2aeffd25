/// librdkafka properties for one client, with the defaults Inboxwatch relies on.
///
/// Any librdkafka property passes through unchanged (`security.protocol`,
/// `sasl.*`, `ssl.*`, ...), so users can reach a secured cluster. Values of
/// secret properties never appear in `description`, logs or errors.
public struct KafkaConfiguration: Sendable, CustomStringConvertible {
    /// The properties as librdkafka will receive them.
    public private(set) var properties: [String: String]

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.properties = ["bootstrap.servers": bootstrapServers]
        self.merge(properties)
    }

    /// Sets one librdkafka property, replacing any earlier value.
    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// Adds properties, the given ones winning over existing values.
    public mutating func merge(_ more: [String: String]) {
        properties.merge(more) { _, new in new }
    }

    /// Returns a copy with `defaults` added under the properties already set.
    func withDefaults(_ defaults: [String: String]) -> KafkaConfiguration {
        var copy = self
        copy.properties.merge(defaults) { existing, _ in existing }
        return copy
    }

    public var bootstrapServers: String { properties["bootstrap.servers"] ?? "" }

    /// Property names whose values are credentials.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("password") || lowered.contains("secret")
            || lowered.hasSuffix(".key.pem") || lowered == "ssl.key.pem"
            || lowered.contains("sasl.oauthbearer.config") || lowered.contains("token")
            || lowered.hasSuffix("jaas.config")
    }

    /// The properties with secret values replaced, safe to log.
    public var redacted: [String: String] {
        properties.reduce(into: [:]) { out, pair in
            out[pair.key] = Self.isSecret(pair.key) ? "<redacted>" : pair.value
        }
    }

    public var description: String {
        redacted.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

extension KafkaConfiguration {
    /// Producer defaults: idempotent, every replica acknowledges, and the Java
    /// client's partitioner so topics stay co-partitioned with JVM writers.
    static let producerDefaults: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        "partitioner": "murmur2_random",
        "linger.ms": "5",
    ]

    /// Consumer defaults: offsets are stored only after the caller has processed
    /// a message, transactional writes are read only once committed.
    static let consumerDefaults: [String: String] = [
        "enable.auto.offset.store": "false",
        "enable.auto.commit": "false",
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "enable.partition.eof": "false",
    ]
}
