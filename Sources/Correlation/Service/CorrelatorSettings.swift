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
    /// Signs the commands the auto-response policy requests; required when the policy is on.
    public var commandSigner: CommandSigner?
    /// How long an auto-response command stays valid after it is issued.
    public var commandLifetime: Duration = .seconds(3600)
    /// Runs consume → transform → produce in Kafka transactions with this id (real Kafka 2.5+):
    /// unique per instance and stable across its restarts (a pod name). Nil: no transactions;
    /// correctness then rests on deterministic output and `ce_id` (DESIGN.md, Gotchas).
    public var transactionalID: String?
    /// Told whether the instance is ready (its first assignment restored, the brokers answering)
    /// and why not; the CLI serves it on `/readyz`. Nil: nobody asks.
    public var onReadiness: WorkerReadiness.Callback?

    public init(
        kafka: KafkaConfiguration, catalog: TopicCatalog = TopicCatalog(), groupID: String = "inboxwatch-correlator",
        checkpointInterval: Duration = .seconds(5), outputBatch: Int = 500,
        engine: CorrelatorConfiguration = CorrelatorConfiguration(), commandSigner: CommandSigner? = nil,
        transactionalID: String? = nil
    ) {
        self.kafka = kafka
        self.catalog = catalog
        self.groupID = groupID
        self.checkpointInterval = checkpointInterval
        self.outputBatch = outputBatch
        self.engine = engine
        self.commandSigner = commandSigner
        self.transactionalID = transactionalID
    }

    /// What keeps these settings from working, each with what to do; empty when they work.
    public func problems() -> [String] {
        var problems = engine.autoResponse.problems()
        if !engine.autoResponse.isOff && commandSigner == nil {
            problems.append(
                "the auto-response policy requests commands, and the action worker runs only signed ones: give a signing key (--signing-key FILE --signing-key-id ID)"
            )
        }
        if let transactionalID, transactionalID.isEmpty {
            problems.append("the transactional id is empty: give each instance its own stable id, or none")
        }
        return problems
    }
}
