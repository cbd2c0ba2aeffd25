public import Events
public import Kafka

/// How a correlator instance runs: where it reads and writes, how often it checkpoints, and
/// the engine's own configuration.
public struct CorrelatorSettings: Sendable {
    public var kafka: KafkaConfiguration
    public var catalog: TopicCatalog
    /// Instances with the same group id share the partitions.
    public var groupID: String
    /// Processing time between checkpoints (state snapshots and committed offsets): what a crash
    /// replays at most.
    public var checkpointInterval: Duration
    /// Story events held before they are sent; fewer go out when the input pauses.
    public var outputBatch: Int
    public var engine: CorrelatorConfiguration

    public init(
        kafka: KafkaConfiguration, catalog: TopicCatalog = TopicCatalog(), groupID: String = "inboxwatch-correlator",
        checkpointInterval: Duration = .seconds(5), outputBatch: Int = 500,
        engine: CorrelatorConfiguration = CorrelatorConfiguration()
    ) {
        self.kafka = kafka
        self.catalog = catalog
        self.groupID = groupID
        self.checkpointInterval = checkpointInterval
        self.outputBatch = outputBatch
        self.engine = engine
    }
}
