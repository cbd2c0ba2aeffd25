import Collector
import Correlation
import Events
import Foundation
import HTTP
import Kafka
import Logging
import M365
import TenantSimulator
import Testing

/// The pipeline suites run one at a time (each starts correlators that load both cores), and
/// share one fixture: collecting the simulated tenant is the expensive part.
@Suite(.serialized) enum CorrelatorPipeline {
    /// Built once, on first use.
    static let fixture = FixtureCache()
}

actor FixtureCache {
    private var building: Task<PipelineFixture, any Error>?

    func get() async throws -> PipelineFixture {
        if let building { return try await building.value }
        let task = Task { try await PipelineFixture.make() }
        building = task
        return try await task.value
    }
}

/// The pipeline up to the raw topics, for real: a simulated tenant on loopback, both collectors
/// run once over it, into an embedded broker. What lands on the raw topics is the correlator's
/// input in the tests that follow.
struct PipelineFixture: Sendable {
    /// 2026-11-20T00:00:00Z.
    static let worldStart = Date(timeIntervalSince1970: 1_795_132_800)

    let tenant: SimulatedTenant
    let broker: EmbeddedKafka
    let catalog: TopicCatalog
    let tenantId: String
    let audit: [KafkaConsumerMessage]
    let mail: [KafkaConsumerMessage]

    var kafka: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
    }

    static func make(
        scenarios: [String] = ScenarioCatalog.attacks.map(\.name), users: Int = 60,
        hours: Double = 8
    ) async throws -> PipelineFixture {
        let configuration = SimulatorConfiguration(
            seed: 31, scenarios: scenarios, start: worldStart, duration: hours * 3600, userCount: users,
            backgroundRate: 2, listingPageSize: 20, graphPageSize: 50)
        // Late enough that every record the world holds has been published.
        let now = worldStart.addingTimeInterval((hours + 26) * 3600)
        let tenant = SimulatedTenant(configuration: configuration, clock: SimulationClock(.manual(now)))
        var logger = Logger(label: "test.pipeline")
        logger.logLevel = .error
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: logger)
        let http = HTTPClient(configuration: HTTPClientConfiguration(), logger: logger)
        let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: 4)
        let broker = try EmbeddedKafka(topics: catalog.specs, logger: logger)
        let kafka = KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let publisher = RecordPublisher(producer: producer, catalog: catalog)
        let endpoints = M365Endpoints.simulator(baseURL: server.baseURL)
        let clock = M365Clock { now }
        let tenantId = tenant.world.directory.tenantId
        let app = tenant.apps.collector
        let tokens = TokenProvider(
            identity: AppIdentity(clientId: app.clientId, credential: .secret(app.clientSecret)), endpoints: endpoints,
            http: http, clock: clock, logger: logger)
        do {
            try await AuditCollector(
                client: ManagementActivityClient(
                    tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: clock, logger: logger),
                publisher: publisher, kafka: kafka,
                settings: .init(
                    pollInterval: .milliseconds(100), backfillFrom: worldStart, once: true,
                    leaseSessionTimeoutMilliseconds: 6000),
                directory: UserDirectory(
                    graph: GraphClient(
                        tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: clock,
                        logger: logger),
                    logger: logger),
                clock: clock, logger: logger
            ).run()
            try await MailCollector(
                client: GraphClient(
                    tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: clock, logger: logger),
                publisher: publisher, kafka: kafka,
                settings: .init(
                    mailDomains: tenant.world.directory.domains.map(\.name),
                    reportMailbox: tenant.world.directory.reportMailbox,
                    pollInterval: .milliseconds(100), backfillFrom: worldStart, once: true,
                    leaseSessionTimeoutMilliseconds: 6000),
                clock: clock, logger: logger
            ).run()
        } catch {
            await producer.close()
            await http.shutdown()
            try? await server.stop()
            throw error
        }
        await producer.close()
        await http.shutdown()
        try await server.stop()
        return PipelineFixture(
            tenant: tenant, broker: broker, catalog: catalog, tenantId: tenantId,
            audit: try await Self.readAll(catalog.rawAudit, kafka: kafka),
            mail: try await Self.readAll(catalog.rawMail, kafka: kafka))
    }

    static func readAll(_ topic: String, kafka: KafkaConfiguration) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        try await KafkaTopicReader.read(topic, configuration: kafka) { messages.append($0) }
        return messages
    }

    func readAll(_ topic: String) async throws -> [KafkaConsumerMessage] {
        try await Self.readAll(topic, kafka: kafka)
    }

    /// The raw messages as engine input.
    var inputs: [RawInput] { Self.inputs(audit + mail, catalog: catalog) }

    static func inputs(_ messages: [KafkaConsumerMessage], catalog: TopicCatalog) -> [RawInput] {
        messages.compactMap { message in
            let feed: RawInput.Feed = message.topic == catalog.rawAudit ? .audit : .mail
            let id = message.headers.last(named: "ce_id")?.stringValue
            return RawInput(
                feed: feed, key: message.keyString ?? "", value: message.value ?? [], cloudEventId: id,
                source: SourceReference(
                    topic: message.topic, partition: message.partition, offset: message.offset, recordId: id ?? ""))
        }
    }

    /// What one engine holding every partition makes of the raw topics: the reference result.
    func singleEngineStories(configuration: CorrelatorConfiguration) -> [String: StoryView] {
        Self.singleEngineStories(inputs, partitions: catalog.keyedPartitions, configuration: configuration)
    }

    static func singleEngineStories(
        _ inputs: [RawInput], partitions: Int32, configuration: CorrelatorConfiguration
    ) -> [String: StoryView] {
        var engine = CorrelatorEngine(configuration: configuration)
        let now = ContinuousClock.now
        for partition in 0..<partitions { engine.assign(partition, restoring: nil, now: now) }
        var events: [StoryEvent] = []
        // Partition by partition, each feed in offset order, the feeds interleaved by position:
        // any interleaving gives the same stories, which is what the Kafka tests check.
        for input in inputs.sorted(by: {
            ($0.source.partition, $0.source.offset, $0.feed.rawValue) < (
                $1.source.partition, $1.source.offset, $1.feed.rawValue
            )
        }) {
            for case .story(let event, _) in engine.receive(input, now: now) { events.append(event) }
        }
        for case .story(let event, _) in engine.drain() { events.append(event) }
        return Self.finalStories(events)
    }

    /// The stories an analyst sees: without those closed, with no verdict, because they were
    /// merged into an account takeover story.
    static func visible(_ stories: [String: StoryView]) -> [String: StoryView] {
        stories.filter { !($0.value.status == .closed && $0.value.verdict == nil) }
    }

    static func finalStories(_ events: [StoryEvent]) -> [String: StoryView] {
        var latest: [String: StoryEvent] = [:]
        for event in events where (latest[event.storyId]?.sequence ?? 0) < event.sequence {
            latest[event.storyId] = event
        }
        return latest.mapValues(\.story)
    }

    /// Copies raw messages to another catalog's raw topics, each to the partition it came
    /// from, in order: a second, identical input the tests can feed at their own pace.
    func republish(_ messages: [KafkaConsumerMessage], to target: TopicCatalog) async throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let records = messages.map { message in
            KafkaProducerRecord(
                topic: message.topic == catalog.rawAudit ? target.rawAudit : target.rawMail,
                partition: message.partition,
                key: message.key, value: message.value, headers: message.headers)
        }
        do {
            _ = try await producer.send(contentsOf: records)
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
    }

    /// The stories on the stories topic, as their latest events show them.
    func publishedStories(_ catalog: TopicCatalog? = nil) async throws -> (
        stories: [String: StoryView], events: [StoryEvent]
    ) {
        let decoder = BoundedJSONDecoder()
        let events = try await readAll((catalog ?? self.catalog).stories).map {
            try decoder.decodeValue(StoryEvent.self, from: $0.value ?? [])
        }
        return (Self.finalStories(events), events)
    }
}
