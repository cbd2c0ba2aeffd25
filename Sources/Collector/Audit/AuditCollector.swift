import Events
public import Foundation
public import Kafka
public import Logging
public import M365

/// The audit collector of one tenant: holds the tenant's lease, restores its checkpoints and the
/// ids it published recently, starts the configured subscriptions, and runs one loop per content
/// type until cancelled (or, with `once`, until every content type has caught up once).
public struct AuditCollector: Sendable {
    /// What to collect for the tenant and how.
    public struct Settings: Sendable {
        public var contentTypes: [AuditContentType]
        public var policy: AuditCollectionPolicy
        /// Pause between cycles once caught up.
        public var pollInterval: Duration
        /// How long a published record id is remembered to skip its duplicates (default 24 h).
        public var dedupeHorizon: TimeInterval
        /// At most this many ids are remembered per content type.
        public var dedupeCapacity: Int
        /// Records read back per raw-topic partition on start, to rebuild the dedupe memory.
        public var readBackLimit: Int
        /// Collect back to here even if the checkpoint is later (`--since`).
        public var backfillFrom: Date?
        /// Run one cycle per content type, then return.
        public var once: Bool
        /// The lease group's session timeout: how long a crashed holder blocks a successor.
        public var leaseSessionTimeoutMilliseconds: Int

        public init(
            contentTypes: [AuditContentType] = AuditCollector.defaultContentTypes,
            policy: AuditCollectionPolicy = AuditCollectionPolicy(), pollInterval: Duration = .seconds(60),
            dedupeHorizon: TimeInterval = 24 * 3600, dedupeCapacity: Int = 500_000, readBackLimit: Int = 200_000,
            backfillFrom: Date? = nil, once: Bool = false, leaseSessionTimeoutMilliseconds: Int = 10_000
        ) {
            self.contentTypes = contentTypes
            self.policy = policy
            self.pollInterval = pollInterval
            self.dedupeHorizon = dedupeHorizon
            self.dedupeCapacity = dedupeCapacity
            self.readBackLimit = readBackLimit
            self.backfillFrom = backfillFrom
            self.once = once
            self.leaseSessionTimeoutMilliseconds = leaseSessionTimeoutMilliseconds
        }
    }

    public static let defaultContentTypes: [AuditContentType] = [
        .exchange, .azureActiveDirectory, .general, .sharePoint,
    ]

    public let client: ManagementActivityClient
    /// Resolves actors named by object id to their UPN before records are keyed (``UserDirectory``).
    public let directory: UserDirectory?
    public let publisher: RecordPublisher
    public let kafka: KafkaConfiguration
    public let settings: Settings
    public let clock: M365Clock
    public let logger: Logger
    public let health: CollectorHealthSink
    public let progress: CollectionProgressSink

    public init(
        client: ManagementActivityClient, publisher: RecordPublisher, kafka: KafkaConfiguration, settings: Settings,
        directory: UserDirectory? = nil, clock: M365Clock = .system, logger: Logger,
        health: @escaping CollectorHealthSink = { _ in }, progress: @escaping CollectionProgressSink = { _ in }
    ) {
        self.directory = directory
        self.client = client
        self.publisher = publisher
        self.kafka = kafka
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.health = health
        self.progress = progress
    }

    public var tenantId: String { client.tenantId }

    /// Runs until cancelled (or one cycle with `once`). A lost lease stops collection and waits
    /// for the lease again; credentials that stop working are reported unhealthy and retried
    /// each cycle, never reported as "healthy, nothing new".
    public func run() async throws(CollectorError) {
        let problems = settings.policy.problems()
        guard problems.isEmpty else {
            throw CollectorError(
                code: .invalidConfiguration, message: problems.joined(separator: "; "), isRetriable: false)
        }
        let lease = try CollectorLease(
            kafka: kafka, catalog: publisher.catalog, kind: "audit", tenantId: tenantId,
            sessionTimeoutMilliseconds: settings.leaseSessionTimeoutMilliseconds, logger: logger)
        try await lease.run { checkpoints throws(CollectorError) in
            try await collect(checkpoints: checkpoints)
        }
    }

    private func collect(checkpoints: CollectorLease.Checkpoints) async throws(CollectorError) {
        let horizonStart = clock.now().addingTimeInterval(-settings.dedupeHorizon)
        let published = try await PublishedRecordReader.read(
            kafka: kafka, topic: publisher.catalog.rawAudit, sourcePrefix: sourcePrefix, horizonStart: horizonStart,
            perPartitionLimit: settings.readBackLimit, logger: logger)
        var failure: CollectorError?
        await withTaskGroup(of: CollectorError?.self) { group in
            for contentType in settings.contentTypes {
                let source = sourceCollector(contentType)
                var dedupe = RecordDeduplicator(horizon: settings.dedupeHorizon, capacity: settings.dedupeCapacity)
                for entry in published[source.sourceURI] ?? [] { dedupe.insert(entry.id, at: entry.at) }
                var state = AuditSourceState(
                    tenantId: tenantId, contentType: contentType.rawValue, policy: settings.policy,
                    checkpoint: checkpoints[AuditSourceState.source(contentType: contentType.rawValue)])
                if let since = settings.backfillFrom { state.backfill(from: since) }
                group.addTask { [state, dedupe] in
                    do throws(CollectorError) {
                        try await loop(source, state: state, dedupe: dedupe)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            for await result in group {
                if let result, failure == nil {
                    failure = result
                    group.cancelAll()
                }
            }
        }
        if let failure { throw failure }
    }

    private func loop(_ source: AuditSourceCollector, state: AuditSourceState, dedupe: RecordDeduplicator)
        async throws(CollectorError)
    {
        var state = state
        var dedupe = dedupe
        var subscribed = false
        var lastStatus: CollectorHealth.Status?
        func report(_ status: CollectorHealth.Status, _ reason: String) {
            guard status != lastStatus else { return }
            lastStatus = status
            health(
                CollectorHealth(
                    tenantId: tenantId, source: state.source, status: status, reason: reason, since: clock.now()))
        }
        while !Task.isCancelled {
            do throws(CollectorError) {
                if !subscribed {
                    do {
                        try await client.startSubscription(source.contentType)
                    } catch {
                        throw source.sourceError("starting the \(source.contentType) subscription", error)
                    }
                    subscribed = true
                }
                let done = try await source.runCycle(state: &state, dedupe: &dedupe)
                report(.healthy, "")
                // A quiet cycle is not news; one that published something is.
                logger.log(
                    level: done.recordsPublished + done.deadLettered > 0 ? .info : .debug, "audit cycle done",
                    metadata: ["progress": "\(done)"])
            } catch {
                if error.code == .publishFailed || error.code == .checkpointFailed {
                    // Kafka trouble: nothing past the last acknowledged blob is checkpointed; retry the cycle.
                    report(.degraded, error.message)
                } else if error.isRetriable {
                    report(.degraded, error.message)
                } else {
                    report(.unhealthy, error.message)
                }
                logger.error(
                    "audit cycle failed; retrying next cycle",
                    metadata: ["source": "\(state.source)", "code": "\(error.code)", "error": "\(error.message)"])
                if settings.once && !error.isRetriable { throw error }
                if settings.once {
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
            }
            if settings.once && lastStatus == .healthy { return }
            try? await Task.sleep(for: settings.pollInterval)
        }
    }

    private var sourcePrefix: String { "/inboxwatch/collector/audit/\(tenantId.keyNormalized)/" }

    private func sourceCollector(_ contentType: AuditContentType) -> AuditSourceCollector {
        AuditSourceCollector(
            client: client, contentType: contentType, publisher: publisher, parser: AuditRecordParser(),
            directory: directory, clock: clock,
            logger: logger, health: health, progress: progress)
    }
}
