import Actions
import Events
import Foundation
import HTTP
import Kafka
import Logging
import M365
import TenantSimulator

/// A simulated tenant on loopback (wall clock), an embedded broker with the topic catalog, a
/// trusted analyst key, and what a test needs to run action workers against them and to see
/// what they did: outcomes on Kafka, the tenant's state and its count of calls per command.
struct ActionHarness {
    let tenant: SimulatedTenant
    let server: RunningSimulatorServer
    let broker: EmbeddedKafka
    let catalog: TopicCatalog
    let factory: CommandFactory
    let http: HTTPClient
    let logger: Logger

    var tenantId: String { tenant.world.directory.tenantId }
    var directory: TenantDirectory { tenant.world.directory }
    var kafka: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
    }
    var client: RemediationClient { RemediationClient(kafka: kafka, catalog: catalog, logger: logger) }

    static func start(users: Int = 40, faults: FaultPlan = FaultPlan()) async throws -> ActionHarness {
        let now = Date()
        let configuration = SimulatorConfiguration(
            seed: 41, scenarios: ["mailbox-forwarding", "login-then-phish"], start: now.addingTimeInterval(-6 * 3600),
            duration: 6 * 3600, userCount: users, backgroundRate: 2)
        let tenant = SimulatedTenant(configuration: configuration, clock: .wall, faults: faults)
        var logger = Logger(label: "test.actions")
        logger.logLevel = .warning
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: logger)
        var httpConfiguration = HTTPClientConfiguration()
        httpConfiguration.retry.baseDelay = .milliseconds(20)
        httpConfiguration.retry.maximumDelay = .milliseconds(200)
        httpConfiguration.retry.retryBudgetPerHost = 100_000
        let http = HTTPClient(configuration: httpConfiguration, logger: logger)
        let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: 3)
        var brokerLogger = Logger(label: "test.broker")
        brokerLogger.logLevel = .critical
        let broker = try EmbeddedKafka(topics: catalog.specs, logger: brokerLogger)
        return ActionHarness(
            tenant: tenant, server: server, broker: broker, catalog: catalog,
            factory: CommandFactory(tenantId: tenant.world.directory.tenantId, epoch: now), http: http, logger: logger)
    }

    func stop() async {
        await http.shutdown()
        try? await server.stop()
    }

    /// The action app's Graph client, as `inboxwatch act` makes it.
    func graphActions() -> GraphActions {
        let app = tenant.apps.actions
        let tokens = TokenProvider(
            identity: AppIdentity(clientId: app.clientId, credential: .secret(app.clientSecret)),
            endpoints: .simulator(baseURL: server.baseURL), http: http, logger: logger)
        return GraphActions(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: .simulator(baseURL: server.baseURL),
            inlineRetryAfterLimit: .zero, logger: logger)
    }

    func policy(_ change: (inout ActionPolicy) -> Void = { _ in }) -> ActionPolicy {
        CommandFactory.enforcing(tenant: tenantId, change)
    }

    /// Runs an in-process worker under `policy` while `body` runs, then stops it.
    func withWorker<T: Sendable>(
        _ policy: ActionPolicy, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let settings = ActionWorkerSettings(
            kafka: kafka, catalog: catalog, policy: policy, verifier: factory.verifier,
            graphs: [tenantId: graphActions()])
        let worker = ActionWorker(settings: settings, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await worker.run()
                return nil
            }
            group.addTask { try await body() }
            var result: T?
            while let next = try await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                }
            }
            guard let result else { throw HarnessError("the worker stopped before the test finished") }
            return result
        }
    }

    /// Waits until every id has a final outcome (or `held`), reading the outcomes topic as it grows.
    func outcomes(of ids: [String], heldIsFinal: Bool = true, timeout: Duration = .seconds(120)) async throws
        -> [String: RemediationOutcome]
    {
        let wanted = Set(ids.map { TopicKeys.outcome(commandID: $0) })
        let client = self.client
        return try await withThrowingTaskGroup(of: [String: RemediationOutcome]?.self) { group in
            group.addTask {
                var found: [String: RemediationOutcome] = [:]
                try await client.follow { outcome in
                    let key = TopicKeys.outcome(commandID: outcome.commandId)
                    if wanted.contains(key), outcome.status.isFinal || (heldIsFinal && outcome.status == .held) {
                        found[key] = outcome
                    }
                    return found.count < wanted.count
                }
                return found
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw HarnessError("not every command had an outcome within \(timeout)") }
            return first
        }
    }

    /// Every record on a topic now.
    func records(_ topic: String) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        try await KafkaTopicReader.read(topic, configuration: kafka, logger: logger) { messages.append($0) }
        return messages
    }

    /// Every outcome record on the topic, in order per command.
    func outcomeRecords() async throws -> [RemediationOutcome] {
        let decoder = BoundedJSONDecoder()
        return try await records(catalog.remediationOutcomes).sorted { $0.offset < $1.offset }.map {
            try decoder.decodeValue(RemediationOutcome.self, from: $0.value ?? [])
        }
    }

    /// The calls the tenant counted for a command's write (its `client-request-id`).
    func calls(of commandId: String) async -> GraphRequestLedger.Entry? {
        await tenant.currentState().requests.entries[GraphRequestID.forCommand(commandId)]
    }

    /// Every call the tenant counted for a command, the write and the reads.
    func allCalls(of commandId: String) async -> Int {
        let entries = await tenant.currentState().requests.entries
        return [commandId, "\(commandId)#user", "\(commandId)#groups", "\(commandId)#read-back"].reduce(0) {
            $0 + (entries[GraphRequestID.forCommand($1)]?.attempts ?? 0)
        }
    }

    func user(_ id: String) -> SimulatedUser { directory.users.first { $0.id == id }! }

    /// Ordinary users (not shared mailboxes, not in any group), in directory order.
    var plainUsers: [SimulatedUser] {
        let grouped = Set(directory.groups.flatMap(\.memberUserIds))
        return directory.users.filter { !$0.isSharedMailbox && !grouped.contains($0.id) }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
