import Actions
import Collector
import Correlation
import Events
import Foundation
import HTTP
import Kafka
import Logging
import M365
import TenantSimulator

/// Everything `inboxwatch demo` runs, in this process: the embedded broker, a simulated tenant
/// on loopback whose day is already published, both collectors, a correlator with an
/// auto-response rule, and an action worker — each the same code its own subcommand runs.
struct DemoPipeline: Sendable {
    let tenant: SimulatedTenant
    let server: RunningSimulatorServer
    let broker: EmbeddedKafka
    let catalog: TopicCatalog
    let http: HTTPClient
    let analyst: CommandSigner
    let correlatorSigner: CommandSigner
    let verifier: CommandVerifier
    let logger: Logger

    var tenantId: String { tenant.world.directory.tenantId }
    var kafka: KafkaConfiguration {
        // Short group timeouts: the demo's members never need long ones, and its run is short.
        KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
    }
    var endpoints: M365Endpoints { .simulator(baseURL: server.baseURL) }

    /// The auto-response rule of the demo: takeover stories ask for containment, as a dry run.
    static let autoResponse = AutoResponsePolicy(rules: [
        .init(
            name: "takeover-containment", detections: [Detection.accountTakeover.rawValue],
            minimumCriticality: .critical, actions: [.revokeSessions, .disableAccount], dryRun: true)
    ])

    /// The worker's policy: it acts, but disabling an account always waits for an analyst.
    func workerPolicy() -> ActionPolicy {
        var policy = ActionPolicy()
        policy.mode = .enforce
        policy.tenants = [tenantId.lowercased()]
        policy.allowedActions = [.revokeSessions, .disableAccount, .removeInboxRule, .moveMessageToJunk]
        policy.protectedGroups = [DirectoryGroup.breakGlass.lowercased()]
        policy.capsPerHour[.disableAccount] = 0
        return policy
    }

    static func start(
        scenarios: [String], users: Int, hours: Double, seed: UInt64, partitions: Int32, logger: Logger
    ) async throws -> DemoPipeline {
        // The tenant's day ended a day ago, so Microsoft has published all of it: a backfill.
        let start = Date().addingTimeInterval(-(hours + 26) * 3600)
        let configuration = SimulatorConfiguration(
            seed: seed, scenarios: scenarios, start: start, duration: hours * 3600, userCount: users,
            backgroundRate: 2, listingPageSize: 20, graphPageSize: 50)
        let tenant = SimulatedTenant(configuration: configuration, clock: .wall)
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: logger)
        let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: partitions)
        let broker = try EmbeddedKafka(topics: catalog.specs, logger: logger)
        let analystKey = CommandSigner.generate()
        let correlatorKey = CommandSigner.generate()
        return DemoPipeline(
            tenant: tenant, server: server, broker: broker, catalog: catalog,
            http: HTTPClient(configuration: HTTPClientConfiguration(), logger: logger),
            analyst: try CommandSigner(keyId: "demo-analyst", privateKeyBase64: analystKey.privateKeyBase64),
            correlatorSigner: try CommandSigner(
                keyId: "inboxwatch-correlator", privateKeyBase64: correlatorKey.privateKeyBase64),
            verifier: try CommandVerifier(trusted: [
                "demo-analyst": analystKey.publicKeyBase64, "inboxwatch-correlator": correlatorKey.publicKeyBase64,
            ]),
            logger: logger)
    }

    func stop() async {
        await http.shutdown()
        try? await server.stop()
    }

    func tokens(_ app: SimulatorApps.App) -> TokenProvider {
        TokenProvider(
            identity: AppIdentity(clientId: app.clientId, credential: .secret(app.clientSecret)),
            endpoints: endpoints, http: http, logger: logger)
    }

    /// Both collectors, once over the tenant's day, side by side.
    func collect() async throws {
        let logger = Self.logger("inboxwatch.collect", like: logger)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let publisher = RecordPublisher(producer: producer, catalog: catalog)
        let tokens = tokens(tenant.apps.collector)
        let from = tenant.world.timeline.start.addingTimeInterval(-3600)
        let audit = AuditCollector(
            client: ManagementActivityClient(
                tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, logger: logger),
            publisher: publisher, kafka: kafka,
            settings: .init(
                pollInterval: .milliseconds(200), backfillFrom: from, once: true, leaseSessionTimeoutMilliseconds: 6000),
            directory: UserDirectory(
                graph: GraphClient(
                    tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, logger: logger),
                logger: logger),
            logger: logger)
        let mail = MailCollector(
            client: GraphClient(tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, logger: logger),
            publisher: publisher, kafka: kafka,
            settings: .init(
                mailDomains: tenant.world.directory.domains.map(\.name),
                reportMailbox: tenant.world.directory.reportMailbox, pollInterval: .milliseconds(200),
                backfillFrom: from, once: true, leaseSessionTimeoutMilliseconds: 6000),
            logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await audit.run() }
                group.addTask { try await mail.run() }
                try await group.waitForAll()
            }
        } catch {
            await producer.close()
            throw error
        }
        try await producer.flush()
        await producer.close()
    }

    func correlator(onReadiness: WorkerReadiness.Callback? = nil) -> Correlator {
        var settings = CorrelatorSettings(
            kafka: kafka, catalog: catalog, groupID: "inboxwatch-correlator", checkpointInterval: .seconds(1),
            outputBatch: 200,
            engine: CorrelatorConfiguration(
                grace: .seconds(30 * 60), idleAfter: .seconds(2), autoResponse: Self.autoResponse),
            commandSigner: correlatorSigner)
        settings.onReadiness = onReadiness
        return Correlator(settings: settings, logger: Self.logger("inboxwatch.correlator", like: logger))
    }

    func actionWorker(onReadiness: WorkerReadiness.Callback? = nil) -> ActionWorker {
        let graph = GraphActions(
            tenantId: tenantId, tokens: tokens(tenant.apps.actions), http: http, endpoints: endpoints,
            inlineRetryAfterLimit: .zero, logger: logger)
        var settings = ActionWorkerSettings(
            kafka: kafka, catalog: catalog, policy: workerPolicy(), verifier: verifier, graphs: [tenantId: graph])
        settings.onReadiness = onReadiness
        return ActionWorker(
            settings: settings,
            logger: Self.logger("inboxwatch.action-worker", like: logger))
    }

    /// A logger of its own per part, so the demo's log says which part spoke.
    static func logger(_ label: String, like base: Logger) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = base.logLevel
        return logger
    }

    var client: RemediationClient { RemediationClient(kafka: kafka, catalog: catalog, logger: logger) }
}
