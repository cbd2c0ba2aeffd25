/// A topic as it should exist: the unit of the topic catalog that both the
/// embedded broker and `CreateTopics` on a real cluster are given.
public struct KafkaTopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16
    /// Topic configs such as `cleanup.policy=compact` or `retention.ms`.
    public var configs: [String: String]

    public init(name: String, partitions: Int32, replicationFactor: Int16 = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
