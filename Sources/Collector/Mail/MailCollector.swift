import Events
public import Foundation
public import Kafka
public import Logging
public import M365

/// The mail collector of one tenant: holds the tenant's `mail` lease, restores its checkpoints
/// and the change ids it published recently, and runs one loop per source until cancelled (or,
/// with `once`, until every source has completed one cycle):
///
/// - sign-ins, risky users, threat submissions and alerts by time window;
/// - user profiles and accepted domains as snapshots with change detection;
/// - every in-scope mailbox (`mailDomains`): inbox by delta query, inbox rules and mailbox
///   settings as snapshots, a few mailboxes at a time;
/// - the phishing-report mailbox, when configured: each report becomes a `userReport`.
///
/// Everything goes to `inboxwatch.raw.mail` keyed `tenant/user`, each change once within the
/// dedupe horizon (`ce_id` = ``EventID/resourceChange(resourceID:changeKind:resource:)``);
/// checkpoints follow Kafka's acknowledgements. A failing source degrades only itself.
public struct MailCollector: Sendable {
    /// What to collect for the tenant and how.
    public struct Settings: Sendable {
        public var policy: MailCollectionPolicy
        /// Mailboxes in scope: users of these domains.
        public var mailDomains: [String]
        /// Not supported yet: a non-empty list is refused (see ``MailboxScope``).
        public var mailGroups: [String]
        /// The shared mailbox users forward suspicious mail to; nil when the tenant has none.
        public var reportMailbox: String?
        public var windowSources: [MailWindowSource]
        /// Pause between cycles once caught up.
        public var pollInterval: Duration
        /// How long a published change id is remembered to skip its repeats (default 24 h).
        public var dedupeHorizon: TimeInterval
        /// At most this many ids are remembered per source (per mailbox for mailboxes).
        public var dedupeCapacity: Int
        /// Records read back per raw-topic partition on start, to rebuild the dedupe memory.
        public var readBackLimit: Int
        /// Collect back to here even if the checkpoint is later (`--since`); delta sources that
        /// already hold a link resume from it.
        public var backfillFrom: Date?
        /// Run one cycle per source, then return.
        public var once: Bool
        /// With `once`, how often a source whose cycle failed in a way that may pass is tried.
        public var onceAttempts: Int
        /// The lease group's session timeout: how long a crashed holder blocks a successor.
        public var leaseSessionTimeoutMilliseconds: Int

        public init(
            policy: MailCollectionPolicy = MailCollectionPolicy(), mailDomains: [String] = [],
            mailGroups: [String] = [], reportMailbox: String? = nil,
            windowSources: [MailWindowSource] = MailWindowSource.allCases, pollInterval: Duration = .seconds(60),
            dedupeHorizon: TimeInterval = 24 * 3600, dedupeCapacity: Int = 200_000, readBackLimit: Int = 200_000,
            backfillFrom: Date? = nil, once: Bool = false, onceAttempts: Int = 3,
            leaseSessionTimeoutMilliseconds: Int = 10_000
        ) {
            self.policy = policy
            self.mailDomains = mailDomains
            self.mailGroups = mailGroups
            self.reportMailbox = reportMailbox
            self.windowSources = windowSources
            self.pollInterval = pollInterval
            self.dedupeHorizon = dedupeHorizon
            self.dedupeCapacity = dedupeCapacity
            self.readBackLimit = readBackLimit
            self.backfillFrom = backfillFrom
            self.once = once
            self.onceAttempts = onceAttempts
            self.leaseSessionTimeoutMilliseconds = leaseSessionTimeoutMilliseconds
        }

        /// The mailboxes in scope; the report mailbox is read by its own source, not as a mailbox.
        public var scope: MailboxScope {
            MailboxScope(domains: mailDomains, groups: mailGroups, excluding: reportMailbox.map { [$0] } ?? [])
        }

        /// Every setting that cannot work, as `key: problem` lines.
        public func problems() -> [String] {
            var problems = policy.problems() + scope.problems()
            if let reportMailbox, !reportMailbox.contains("@") {
                problems.append("reportMailbox: '\(reportMailbox)' is not a user principal name")
            }
            if onceAttempts < 1 { problems.append("onceAttempts: at least 1") }
            return problems
        }
    }

    public let client: GraphClient
    public let publisher: RecordPublisher
    public let kafka: KafkaConfiguration
    public let settings: Settings
    public let clock: M365Clock
    public let logger: Logger
    public let health: CollectorHealthSink
    public let progress: CollectionProgressSink

    public init(
        client: GraphClient, publisher: RecordPublisher, kafka: KafkaConfiguration, settings: Settings,
        clock: M365Clock = .system, logger: Logger, health: @escaping CollectorHealthSink = { _ in },
        progress: @escaping CollectionProgressSink = { _ in }
    ) {
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

    /// Runs until cancelled (or one cycle per source with `once`). A lost lease stops
    /// collection and waits for the lease again. With `once`, the first failure of a source
    /// that did not complete (a missing permission first) is thrown after the others finished.
    public func run() async throws(CollectorError) {
        let problems = settings.problems()
        guard problems.isEmpty else {
            throw CollectorError(
                code: .invalidConfiguration, message: problems.joined(separator: "; "), isRetriable: false)
        }
        if settings.scope.isEmpty {
            logger.notice("no mailDomains configured: no mailbox is read (messages, inbox rules, mailbox settings)")
        }
        let lease = try CollectorLease(
            kafka: kafka, catalog: publisher.catalog, kind: "mail", tenantId: tenantId,
            sessionTimeoutMilliseconds: settings.leaseSessionTimeoutMilliseconds, logger: logger)
        try await lease.run { checkpoints throws(CollectorError) in
            try await collect(checkpoints: checkpoints)
        }
    }

    private func collect(checkpoints: CollectorLease.Checkpoints) async throws(CollectorError) {
        let published = try await PublishedRecordReader.read(
            kafka: kafka, topic: publisher.catalog.rawMail, sourcePrefix: MailOutput.sourcePrefix(tenantId: tenantId),
            horizonStart: clock.now().addingTimeInterval(-settings.dedupeHorizon),
            perPartitionLimit: settings.readBackLimit, logger: logger)
        let sources = MailSources(
            client: client, output: output, settings: settings, checkpoints: checkpoints, published: published,
            progress: progress)
        let failures = await withTaskGroup(of: CollectorError?.self) { group in
            for source in sources.all() {
                let loop = sourceLoop(source.name)
                group.addTask { await source.run(loop) }
            }
            var failures: [CollectorError] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        let blocking = failures.first { $0.code == .missingPermission || $0.code == .credentialsRejected }
        if let failure = blocking ?? failures.first { throw failure }
    }

    private var output: MailOutput {
        MailOutput(publisher: publisher, tenantId: tenantId, clock: clock, logger: logger)
    }

    private func sourceLoop(_ source: String) -> MailSourceLoop {
        MailSourceLoop(
            tenantId: tenantId, source: source, pollInterval: settings.pollInterval, once: settings.once,
            onceAttempts: settings.onceAttempts, clock: clock, logger: logger, health: health)
    }
}
