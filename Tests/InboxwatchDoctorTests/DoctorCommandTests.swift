import Events
import Foundation
import HTTP
import InboxwatchTestSupport
import Kafka
import Logging
import M365
import TenantSimulator
import Testing

/// `inboxwatch doctor` as a user runs it: a child process against a simulated tenant and the
/// embedded broker with the topic catalog.
@Suite(.serialized) struct DoctorCommandTests {
    @Test func aWithheldPermissionAndAStoppedSubscriptionAreExactlyTheFailuresEachWithItsFix() async throws {
        let setup = try await DoctorSetup.start(withheld: [.init(app: .collector, role: "IdentityRiskyUser.Read.All")])
        defer { Task { await setup.stop() } }
        try await setup.startSubscriptions(stopping: [.exchange])

        let run = try await setup.doctor(["--json"])
        #expect(run.status == 1, "doctor exits 1 when a check failed; output:\n\(run.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "not JSON:\n\(run.output)")
        let checks = try #require(report["checks"] as? [[String: Any]])
        let failures = checks.filter { $0["result"] as? String == "fail" }
        #expect(
            failures.map { "\($0["check"]!) [\($0["component"]!)]" }.sorted() == [
                "permission IdentityRiskyUser.Read.All [mail]", "subscription Audit.Exchange [audit]",
            ], "failures: \(failures)")
        let permission = try #require(failures.first { ($0["check"] as? String)?.hasPrefix("permission") == true })
        let permissionFix = try #require(permission["fix"] as? String)
        #expect(permissionFix.contains("IdentityRiskyUser.Read.All"))
        #expect(permissionFix.contains("API permissions") && permissionFix.contains("admin consent"))
        #expect(permissionFix.contains(setup.tenant.apps.collector.clientId))
        #expect((permission["detail"] as? String)?.contains("403") == true)
        let subscription = try #require(failures.first { ($0["check"] as? String)?.hasPrefix("subscription") == true })
        let subscriptionFix = try #require(subscription["fix"] as? String)
        #expect(subscriptionFix.contains("subscriptions/start?contentType=Audit.Exchange"))
        #expect(subscriptionFix.contains("inboxwatch collect audit"))
        // The only warnings are facts of the simulated tenant: it has no SharePoint activity.
        let warnings = checks.filter { $0["result"] as? String == "warn" }.compactMap { $0["check"] as? String }
        #expect(Set(warnings).isSubset(of: ["newest content Audit.SharePoint"]), "warnings: \(warnings)")
        // What is not broken passes: the tokens, the other permissions, the topics.
        let passed = Set(checks.filter { $0["result"] as? String == "pass" }.compactMap { $0["check"] as? String })
        #expect(passed.contains("token Microsoft Graph (action app)"))
        #expect(passed.contains("permission Mail.Send"))
        #expect(passed.contains("topic inboxwatch.collector.checkpoints"))
        #expect(passed.contains("newest record inboxwatch.raw.audit"))
        #expect((report["summary"] as? [String: Int])?["fail"] == 2)
        setup.expectNoSecret(in: run.output)
    }

    @Test func aHealthyTenantPassesWithTheTableAndExitStatusZero() async throws {
        let setup = try await DoctorSetup.start(withheld: [])
        defer { Task { await setup.stop() } }
        try await setup.startSubscriptions(stopping: [])

        let run = try await setup.doctor([])
        #expect(run.status == 0, "output:\n\(run.output)")
        #expect(run.output.contains("0 failed"))
        #expect(!run.output.contains("FAIL"))
        #expect(run.output.contains("CHECK") && run.output.contains("COMPONENT") && run.output.contains("RESULT"))
        #expect(run.output.contains("permission IdentityRiskyUser.Read.All"))
        setup.expectNoSecret(in: run.output)
    }

    @Test func aWrongSecretIsExplainedWithItsAADSTSCodeAndFix() async throws {
        let setup = try await DoctorSetup.start(withheld: [])
        defer { Task { await setup.stop() } }
        let run = try await setup.doctor(["--components", "audit"], collectorSecret: "not-the-secret")
        #expect(run.status == 1)
        #expect(run.output.contains("AADSTS7000215"))
        #expect(run.output.contains("Certificates & secrets"))
        #expect(!run.output.contains("not-the-secret"))
    }
}

/// A simulated tenant, the embedded broker with the catalog and a record of the tenant on each
/// raw topic, and a way to run `inboxwatch doctor` against them.
struct DoctorSetup: Sendable {
    let tenant: SimulatedTenant
    let server: RunningSimulatorServer
    let broker: EmbeddedKafka
    let http: HTTPClient
    let logger: Logger

    var tenantId: String { tenant.world.directory.tenantId }

    static func start(withheld: [WithheldPermission]) async throws -> DoctorSetup {
        let now = Date()
        let configuration = SimulatorConfiguration(
            seed: 23, scenarios: ["account-takeover"], start: now.addingTimeInterval(-6 * 3600), duration: 6 * 3600,
            userCount: 20, backgroundRate: 2)
        let tenant = SimulatedTenant(configuration: configuration, clock: .wall, withheld: withheld)
        var logger = Logger(label: "test.doctor")
        logger.logLevel = .critical
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: logger)
        let broker = try EmbeddedKafka(topics: TopicCatalog(keyedPartitions: 3).specs, logger: logger)
        // Something collected a minute ago, as running collectors would have published.
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers), logger: logger)
        let user = tenant.world.directory.users[0].userPrincipalName.lowercased()
        for topic in [TopicCatalog().rawAudit, TopicCatalog().rawMail] {
            _ = try await producer.send(
                KafkaProducerRecord(
                    topic: topic, key: "\(tenant.world.directory.tenantId)/\(user)", value: Array("{}".utf8)))
        }
        await producer.close()
        return DoctorSetup(
            tenant: tenant, server: server, broker: broker, http: HTTPClient(logger: logger), logger: logger)
    }

    func stop() async {
        await http.shutdown()
        try? await server.stop()
    }

    /// Starts every content type the audit collector uses, then stops `stopped`, through the
    /// Management API as an administrator would.
    func startSubscriptions(stopping stopped: [AuditContentType]) async throws {
        let app = tenant.apps.collector
        let tokens = TokenProvider(
            identity: AppIdentity(clientId: app.clientId, credential: .secret(app.clientSecret)),
            endpoints: .simulator(baseURL: server.baseURL), http: http, logger: logger)
        let client = ManagementActivityClient(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: .simulator(baseURL: server.baseURL),
            logger: logger)
        for type in [AuditContentType.exchange, .azureActiveDirectory, .general, .sharePoint] {
            try await client.startSubscription(type)
        }
        for type in stopped { try await client.stopSubscription(type) }
    }

    /// Runs `inboxwatch doctor` for the tenant with both apps; stdout and the exit status.
    func doctor(_ extra: [String], collectorSecret: String? = nil) async throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "inboxwatch-doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdout = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        let process = Process()
        process.executableURL = try InboxwatchBinary.locate()
        process.arguments =
            [
                "doctor", "--bootstrap-servers", broker.bootstrapServers, "--tenant", tenantId, "--client-id",
                tenant.apps.collector.clientId, "--simulator", server.baseURL, "--action-client-id",
                tenant.apps.actions.clientId,
            ] + extra
        process.environment = ProcessInfo.processInfo.environment.merging([
            "INBOXWATCH_CLIENT_SECRET": collectorSecret ?? tenant.apps.collector.clientSecret,
            "INBOXWATCH_ACTION_CLIENT_SECRET": tenant.apps.actions.clientSecret,
        ]) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning {
            guard Date() < deadline else {
                process.terminate()
                throw DoctorTimeout()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (process.terminationStatus, try String(contentsOf: stdout, encoding: .utf8))
    }

    func expectNoSecret(in output: String) {
        #expect(!output.contains(tenant.apps.collector.clientSecret))
        #expect(!output.contains(tenant.apps.actions.clientSecret))
        #expect(!output.contains("Bearer"))
    }
}

struct DoctorTimeout: Error {}
