public import Events
import Foundation
public import Kafka
public import Logging
public import M365

/// What an action worker runs with.
public struct ActionWorkerSettings: Sendable {
    public var kafka: KafkaConfiguration
    public var catalog: TopicCatalog
    public var groupID: String
    public var policy: ActionPolicy
    public var verifier: CommandVerifier
    /// Graph action clients by tenant id; every policy tenant needs one.
    public var graphs: [String: GraphActions]
    public var limits = ActionWorkerState.Limits()
    /// How often finished commands' offsets are committed.
    public var commitInterval: Duration = .seconds(1)
    /// Told whether the worker is ready (its outcomes restored, the brokers answering) and why
    /// not; the CLI serves it on `/readyz`. Nil: nobody asks.
    public var onReadiness: WorkerReadiness.Callback?

    public init(
        kafka: KafkaConfiguration, catalog: TopicCatalog, groupID: String = "inboxwatch.action-worker",
        policy: ActionPolicy, verifier: CommandVerifier, graphs: [String: GraphActions]
    ) {
        self.kafka = kafka
        self.catalog = catalog
        self.groupID = groupID
        self.policy = policy
        self.verifier = verifier
        self.graphs = graphs
    }

    /// What prevents a start, each with what to do.
    public func problems() -> [String] {
        let credentialed = Set(graphs.keys.map { $0.lowercased() })
        return policy.tenants.subtracting(credentialed).sorted().map {
            "the policy names tenant \($0) but the worker has no action-app credentials for it; add them or remove the tenant"
        }
    }
}

/// The action worker: the only component with write access to the tenants. Reads
/// `inboxwatch.remediation.commands` as a member of its group, decides each command with
/// ``ActionWorkerState``, carries the runnable ones out with ``ActionExecutor`` (at most four at
/// once per mailbox), and writes an outcome for every command to the compacted
/// `inboxwatch.remediation.outcomes`, its memory. On every assignment it reads that topic whole
/// first, so a command seen again (redelivered, republished, after a restart or a rebalance) is
/// answered from the record and never run twice. Offsets are committed only below the oldest
/// command not finished.
///
/// Run one instance per deployment (a second one takes over when it fails): the caps are
/// counted from the outcomes, so two active instances could each allow a cap's worth.
public struct ActionWorker: Sendable {
    public let settings: ActionWorkerSettings
    let logger: Logger

    public init(settings: ActionWorkerSettings, logger: Logger = Logger(label: "inboxwatch.action-worker")) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until cancelled; then stops reading, lets running calls end, and commits.
    public func run() async throws {
        let problems = settings.problems()
        guard problems.isEmpty else { throw ActionWorkerError(problems: problems) }
        var producerConfiguration = settings.kafka
        producerConfiguration["acks"] = "all"
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(
                configuration: settings.kafka, groupID: settings.groupID,
                topics: [settings.catalog.remediationCommands], maxBatch: 64, logger: logger)
        } catch {
            await producer.close()
            throw error
        }
        let writer = OutcomeWriter(producer: producer, catalog: settings.catalog)
        let executor = ActionExecutor(graphs: settings.graphs, policy: settings.policy, writer: writer, logger: logger)
        var loop = ActionWorkerLoop(
            settings: settings, consumer: consumer, writer: writer, executor: executor, logger: logger)
        do {
            try await loop.run()
        } catch {
            await consumer.close()
            await producer.close()
            throw error
        }
        await consumer.close()
        await producer.close()
    }
}

/// Settings an action worker cannot start with.
public struct ActionWorkerError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String { "the action worker cannot start:\n  " + problems.joined(separator: "\n  ") }
}
