import Collector
import Events
import Foundation
import HTTP
import Kafka
import Logging
import M365
import Synchronization
import TenantSimulator

/// A simulated tenant on loopback with a manual clock, an embedded Kafka broker with the topic
/// catalog, and the clients a collector needs, all sharing the simulator's clock.
struct CollectorHarness {
    /// 2026-11-20T00:00:00Z.
    static let worldStart = Date(timeIntervalSince1970: 1_795_132_800)

    let tenant: SimulatedTenant
    let server: RunningSimulatorServer
    let broker: EmbeddedKafka
    let catalog: TopicCatalog
    let clock: TestClock
    let http: HTTPClient
    let producer: KafkaProducer
    let logger: Logger

    var tenantId: String { tenant.world.directory.tenantId }
    var endpoints: M365Endpoints { .simulator(baseURL: server.baseURL) }
    var m365Clock: M365Clock {
        let clock = self.clock
        return M365Clock { clock.now }
    }
    var kafka: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
    }
    var publisher: RecordPublisher { RecordPublisher(producer: producer, catalog: catalog) }

    static func configuration(
        scenarios: [String] = ["account-takeover", "login-then-phish", "mailbox-forwarding"], users: Int = 40,
        hours: Double = 6, malformed: Int = 0
    ) -> SimulatorConfiguration {
        SimulatorConfiguration(
            seed: 23, scenarios: scenarios, start: worldStart, duration: hours * 3600, userCount: users,
            backgroundRate: 2, malformedRecords: malformed, listingPageSize: 4, graphPageSize: 10)
    }

    static func start(
        _ configuration: SimulatorConfiguration = configuration(), faults: FaultPlan = FaultPlan(), now: Date
    ) async throws -> CollectorHarness {
        let tenant = SimulatedTenant(configuration: configuration, clock: SimulationClock(.manual(now)), faults: faults)
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: Logger(label: "test.simulator"))
        var logger = Logger(label: "test.collector")
        logger.logLevel = .warning
        var httpConfiguration = HTTPClientConfiguration()
        httpConfiguration.retry.baseDelay = .milliseconds(10)
        httpConfiguration.retry.maximumDelay = .milliseconds(100)
        httpConfiguration.retry.maximumAttempts = 12
        httpConfiguration.retry.retryBudgetPerHost = 10_000
        let http = HTTPClient(configuration: httpConfiguration, logger: logger)
        let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: 4)
        var brokerLogger = Logger(label: "test.broker")
        brokerLogger.logLevel = .error
        let broker = try EmbeddedKafka(topics: catalog.specs, logger: brokerLogger)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers), logger: brokerLogger)
        return CollectorHarness(
            tenant: tenant, server: server, broker: broker, catalog: catalog, clock: TestClock(now), http: http,
            producer: producer, logger: logger)
    }

    func stop() async {
        await producer.close()
        await http.shutdown()
        try? await server.stop()
    }

    /// Moves the simulator's clock and the collector's together.
    func set(now: Date) async {
        clock.set(now)
        await tenant.setClock(to: now)
    }

    func tokens(_ app: SimulatorApps.App) -> TokenProvider {
        TokenProvider(
            identity: AppIdentity(clientId: app.clientId, credential: .secret(app.clientSecret)), endpoints: endpoints,
            http: http, clock: m365Clock, logger: logger)
    }

    func managementClient(tokens: TokenProvider) -> ManagementActivityClient {
        ManagementActivityClient(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: m365Clock, logger: logger)
    }

    /// Graph reads as the mail collector makes them, on the simulator's clock.
    func graphClient(tokens: TokenProvider) -> GraphClient {
        GraphClient(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: m365Clock, logger: logger)
    }

    /// Graph writes with the simulator's action app, as the action worker makes them.
    func graphActions() -> GraphActions {
        GraphActions(
            tenantId: tenantId, tokens: tokens(tenant.apps.actions), http: http, endpoints: endpoints,
            clock: m365Clock, logger: logger)
    }

    /// The ids of every well-formed audit record the simulator has published by `now`.
    func publishedRecordIds(by now: Date) -> Set<String> {
        var ids = Set<String>()
        for blobs in tenant.index.blobs.values {
            for blob in blobs where blob.contentCreated <= now {
                for copy in blob.copies {
                    if let id = tenant.world.timeline.auditRecords[copy.record].id { ids.insert(id.lowercased()) }
                }
            }
        }
        return ids
    }

    /// How many malformed elements the simulator has published by `now`.
    func publishedMalformedCount(by now: Date) -> Int {
        tenant.index.blobs.values.joined().filter { $0.contentCreated <= now }.reduce(0) { total, blob in
            total + blob.copies.filter { tenant.world.timeline.auditRecords[$0.record].id == nil }.count
        }
    }

    /// Every record now on `topic`, read from the start of each partition to its end.
    func readAll(_ topic: String) async throws -> [KafkaConsumerMessage] {
        try await TopicReader.readAll(topic, kafka: kafka)
    }
}

/// A clock the test moves by hand, shared with the simulator's manual clock.
final class TestClock: Sendable {
    private let date: Mutex<Date>
    init(_ start: Date) { date = Mutex(start) }
    var now: Date { date.withLock { $0 } }
    func set(_ now: Date) { date.withLock { $0 = now } }
}

/// Reads a whole topic as it stands.
enum TopicReader {
    static func readAll(_ topic: String, kafka: KafkaConfiguration) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        try await KafkaTopicReader.read(topic, configuration: kafka) { messages.append($0) }
        return messages
    }
}

extension KafkaConsumerMessage {
    var ceID: String? { headers.last(named: "ce_id")?.stringValue }
}
