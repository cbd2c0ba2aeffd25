import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import Logging
import TenantSimulator
import Testing

/// Every worker as its own process, as deployed: both collectors, the correlator with an
/// auto-response rule, and the action worker. Each gets SIGTERM mid-stream, must exit cleanly
/// within 10 s, and is restarted; the stories and outcomes at the end are those of a run
/// without stops (the scenarios' ground truth, every command answered once).
@Suite("Workers stopped with SIGTERM", .serialized)
struct GracefulStopTests {
    static let stopBound: Duration = .seconds(10)

    @Test func eachWorkerStopsWithin10SecondsAndAfterRestartTheStoriesAndOutcomesAreTheSame() async throws {
        var logger = Logger(label: "test.stop")
        logger.logLevel = .critical
        let hours = 8.0
        let configuration = SimulatorConfiguration(
            seed: 31, scenarios: ScenarioCatalog.attacks.map(\.name),
            start: Date().addingTimeInterval(-(hours + 26) * 3600), duration: hours * 3600, userCount: 60,
            backgroundRate: 2, listingPageSize: 20, graphPageSize: 50)
        let tenant = SimulatedTenant(configuration: configuration, clock: .wall)
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: logger)
        let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: 4)
        let broker = try EmbeddedKafka(topics: catalog.specs, logger: logger)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let workers = try Workers(tenant: tenant, server: server, broker: broker, directory: directory)

        var stopTimes: [String: Duration] = [:]
        var running: [String: ChildProcess] = [:]
        for name in Workers.names { running[name] = try workers.start(name, round: 0) }
        // Stop each mid-stream, once it is doing its work, and restart it.
        let busy = [
            "audit": "read back published record ids", "mail": "read back published record ids",
            "correlator": "partitions assigned", "act": "outcomes restored",
        ]
        for name in Workers.names {
            let child = try #require(running[name])
            try await child.waitForLog(busy[name]!, seconds: 90)
            try await Task.sleep(for: .milliseconds(700))
            let stopped = ContinuousClock.now
            child.kill(SIGTERM)
            let status = await child.waitForExit()
            stopTimes[name] = ContinuousClock.now - stopped
            #expect(status == 0, "\(name) exits cleanly on SIGTERM (see \(directory.path))")
            running[name] = try workers.start(name, round: 1)
        }
        // Until the pipeline has told every story and answered every command.
        let kafka = KafkaConfiguration(bootstrapServers: broker.bootstrapServers)
        var score = GroundTruthScore(truth: tenant.world.groundTruth, stories: [])
        var commands: [String: RemediationCommand] = [:]
        var finals: [String: [RemediationOutcome]] = [:]
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let stories = try await Self.latest(catalog.stories, kafka: kafka, as: StoryEvent.self).map(\.story)
            score = GroundTruthScore(truth: tenant.world.groundTruth, stories: stories)
            commands = Dictionary(
                try await Self.latest(catalog.remediationCommands, kafka: kafka, as: RemediationCommand.self).map {
                    ($0.commandId, $0)
                }, uniquingKeysWith: { first, _ in first })
            finals = Dictionary(
                grouping: try await Self.all(catalog.remediationOutcomes, kafka: kafka, as: RemediationOutcome.self)
                    .filter(\.status.isFinal), by: \.commandId)
            if score.isPerfect, !commands.isEmpty, Set(commands.keys).isSubset(of: finals.keys) { break }
            try await Task.sleep(for: .seconds(2))
        }
        for (name, child) in running {
            let stopped = ContinuousClock.now
            child.kill(SIGTERM)
            #expect(await child.waitForExit() == 0, "\(name) exits cleanly at the end")
            stopTimes["\(name) (final)"] = ContinuousClock.now - stopped
        }
        for (name, time) in stopTimes.sorted(by: { $0.key < $1.key }) {
            #expect(time < Self.stopBound, "\(name) took \(time) to stop")
        }
        #expect(
            score.isPerfect,
            "missing \(score.missing.map { "\($0.user) \($0.detection)" }), unexpected \(score.unexpected.map(\.id))")
        #expect(!commands.isEmpty, "the auto-response rule asked for containment")
        for id in commands.keys {
            #expect(finals[id]?.count == 1, "command \(id) has one final outcome: \(finals[id]?.map(\.status) ?? [])")
            #expect(finals[id]?.first?.status == .dryRun)
        }
        print("graceful stop test: stop times \(stopTimes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })")
        try await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func all<Value: TopicValue>(_ topic: String, kafka: KafkaConfiguration, as: Value.Type) async throws
        -> [Value]
    {
        var values: [Value] = []
        let decoder = BoundedJSONDecoder()
        try await KafkaTopicReader.read(topic, configuration: kafka) { message in
            if let value = try? decoder.decodeValue(Value.self, from: message.value ?? []) { values.append(value) }
        }
        return values
    }

    static func latest(_ topic: String, kafka: KafkaConfiguration, as: StoryEvent.Type) async throws -> [StoryEvent] {
        var latest: [String: StoryEvent] = [:]
        for event in try await all(topic, kafka: kafka, as: StoryEvent.self)
        where (latest[event.storyId]?.sequence ?? 0) < event.sequence {
            latest[event.storyId] = event
        }
        return Array(latest.values)
    }

    static func latest(_ topic: String, kafka: KafkaConfiguration, as: RemediationCommand.Type) async throws
        -> [RemediationCommand]
    {
        try await all(topic, kafka: kafka, as: RemediationCommand.self)
    }
}

/// The four worker processes and their arguments.
struct Workers {
    static let names = ["audit", "mail", "correlator", "act"]
    let binary: URL
    let directory: URL
    let arguments: [String: [String]]
    let environment: [String: String]

    init(tenant: SimulatedTenant, server: RunningSimulatorServer, broker: EmbeddedKafka, directory: URL) throws {
        binary = try InboxwatchBinary.locate()
        self.directory = directory
        let key = CommandSigner.generate()
        let signingKey = directory.appendingPathComponent("correlator.key")
        let publicKey = directory.appendingPathComponent("correlator.pub")
        try Data(key.privateKeyBase64.utf8).write(to: signingKey)
        try Data(key.publicKeyBase64.utf8).write(to: publicKey)
        let response = directory.appendingPathComponent("auto-response.json")
        try Data(
            #"{"rules": [{"name": "takeover", "detections": ["accountTakeover"], "minimumCriticality": "critical", "actions": ["revokeSessions"], "dryRun": true}]}"#
                .utf8
        ).write(to: response)
        let tenantId = tenant.world.directory.tenantId
        let policy = directory.appendingPathComponent("policy.json")
        try Data(#"{"tenants": ["\#(tenantId)"], "allowedActions": ["revokeSessions"]}"#.utf8).write(to: policy)
        let kafka = [
            "--bootstrap-servers", broker.bootstrapServers, "--property", "session.timeout.ms=6000",
            "--property", "heartbeat.interval.ms=500", "--log-level", "info",
        ]
        let collector = [
            "--tenant", tenantId, "--client-id", tenant.apps.collector.clientId, "--client-secret-env",
            "COLLECTOR_SECRET",
            "--simulator", server.baseURL, "--since", "2d", "--poll-interval", "1s", "--lease-timeout", "6s",
        ]
        arguments = [
            "audit": ["collect", "audit"] + kafka + collector,
            "mail": ["collect", "mail"] + kafka + collector + [
                "--mail-domain", tenant.world.directory.defaultDomain,
            ] + (tenant.world.directory.reportMailbox.map { ["--report-mailbox", $0] } ?? []),
            "correlator": ["correlate"] + kafka + [
                "--grace", "30m", "--idle-after", "2s", "--checkpoint-interval", "1s", "--auto-response-policy",
                response.path, "--signing-key", signingKey.path, "--signing-key-id", "inboxwatch-correlator",
            ],
            "act": ["act"] + kafka + [
                "--policy", policy.path, "--trusted-key", "inboxwatch-correlator=\(publicKey.path)", "--tenant",
                tenantId,
                "--client-id", tenant.apps.actions.clientId, "--client-secret-env", "ACTION_SECRET", "--simulator",
                server.baseURL,
            ],
        ]
        environment = [
            "COLLECTOR_SECRET": tenant.apps.collector.clientSecret, "ACTION_SECRET": tenant.apps.actions.clientSecret,
        ]
    }

    func start(_ name: String, round: Int) throws -> ChildProcess {
        try ChildProcess(
            binary, arguments[name]!, environment: environment,
            log: directory.appendingPathComponent("\(name)-\(round).log"))
    }
}
