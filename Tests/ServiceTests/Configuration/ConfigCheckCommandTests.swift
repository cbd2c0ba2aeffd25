import Foundation
import InboxwatchTestSupport
import Testing

/// `inboxwatch config check`, run as the operator runs it.
@Suite("inboxwatch config check as a process")
struct ConfigCheckCommandTests {
    struct Run {
        var status: Int32
        var output: String
    }

    func check(_ path: String, environment: [String: String] = [:], in fixture: ConfigFixture) async throws -> Run {
        try await run(["config", "check", path], environment: environment, in: fixture)
    }

    func run(_ arguments: [String], environment: [String: String] = [:], in fixture: ConfigFixture) async throws
        -> Run
    {
        let log = fixture.folder.appendingPathComponent("run-\(UUID().uuidString).log")
        let process = try ChildProcess(InboxwatchBinary.locate(), arguments, environment: environment, log: log)
        let status = await process.waitForExit()
        return Run(status: status, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test("five different mistakes: exit 1 and all five reported, each with its key, secrets never shown")
    func fiveMistakes() async throws {
        let fixture = try ConfigFixture()
        let secret = "s3cr3t-value-never-printed"
        let path = try fixture.write(
            "broken.yaml",
            """
            kafka:
              bootstrapServer: kafka-1:9092
              properties:
                sasl.password: \(secret)
            tenants:
              contoso:
                id: contoso.onmicrosoft.com
                clientId: app-1
                clientSecretFile: /nonexistent/contoso-secret
            correlator:
              grace: 5 minutes
            """)
        let result = try await check(path, environment: ["INBOXWATCH_KAFKA_SASL_PASSWORD": secret], in: fixture)
        #expect(result.status == 1)
        for expected in [
            "kafka.bootstrapServer: unknown key; did you mean kafka.bootstrapServers?",
            "kafka.bootstrapServers: missing; set host:port[,host:port]",
            "kafka.properties.sasl.password: a secret is never read from the configuration file",
            "tenants.contoso.clientSecretFile: /nonexistent/contoso-secret does not exist",
            #"correlator.grace: "5 minutes" is not a duration; use e.g. 90s, 5m"#,
        ] {
            #expect(result.output.contains(expected), "missing \(expected) in:\n\(result.output)")
        }
        #expect(result.output.contains(": 5 problems"))
        #expect(!result.output.contains(secret))
    }

    @Test("the documented example passes once the files it names exist, and secrets show as <secret>")
    func examplePasses() async throws {
        let fixture = try ConfigFixture()
        var example = try String(contentsOfFile: ConfigurationCheckTests.examplePath, encoding: .utf8)
        example = example.replacingOccurrences(of: "/run/secrets/", with: fixture.path("secrets") + "/")
        example = example.replacingOccurrences(of: "/etc/inboxwatch/", with: fixture.path("etc") + "/")
        let secret = "kafka-password-never-printed"
        try fixture.write("secrets/kafka-sasl-password", secret)
        try fixture.write("secrets/contoso-collector-secret", "collector-secret")
        try fixture.write("secrets/contoso-actions-secret", "actions-secret")
        try fixture.write(
            "etc/action-policy.json",
            #"{"mode": "dryRun", "tenants": ["8f0c3a52-2b7e-4a1d-9c4e-5d6f7a8b9c0d"], "allowedActions": ["revokeSessions"]}"#
        )
        try fixture.write("etc/keys/.keep", "")
        for name in ["correlator", "analyst"] {
            let made = try await run(
                ["keys", "generate", "--out", fixture.path("secrets/\(name).key")], in: fixture)
            #expect(made.status == 0, "\(made.output)")
            let publicKey = made.output.split(separator: "\n").last { !$0.isEmpty }.map(String.init) ?? ""
            try fixture.write("etc/keys/\(name).pub", publicKey)
        }
        let path = try fixture.write("config.yaml", example)
        let result = try await check(path, in: fixture)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK (YAML)"))
        #expect(result.output.contains("kafka.bootstrapServers = kafka-1:9092,kafka-2:9092 (file)"))
        #expect(!result.output.contains(secret))

        // The environment wins over the file, and is named as the source.
        let overridden = try await check(
            path, environment: ["INBOXWATCH_CORRELATOR_GROUP_ID": "from-env"], in: fixture)
        #expect(overridden.output.contains("correlator.groupId = from-env (environment)"), "\(overridden.output)")

        // A broken action policy is reported with its key, in the worker module's own words.
        try fixture.write("etc/action-policy.json", #"{"mode": "yes"}"#)
        let broken = try await check(path, in: fixture)
        #expect(broken.status == 1)
        #expect(broken.output.contains("actionWorker.policy: "), "\(broken.output)")
    }

    @Test("a JSON configuration is accepted like YAML")
    func jsonAccepted() async throws {
        let fixture = try ConfigFixture()
        let secret = try fixture.write("secret", "x")
        let path = try fixture.write(
            "config.json",
            """
            {"kafka": {"bootstrapServers": "k:9092"},
             "tenants": {"t": {"id": "t.example", "clientId": "a", "clientSecretFile": "\(secret)"}},
             "collector": {"audit": {"blobConcurrency": 8}}}
            """)
        let result = try await check(path, in: fixture)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK (JSON)"))
        #expect(result.output.contains("collector.audit.blobConcurrency = 8 (file)"))
    }

    @Test("a worker given a broken --config stops at start and lists every problem")
    func workerRefusesBrokenConfiguration() async throws {
        let fixture = try ConfigFixture()
        let path = try fixture.write(
            "broken.yaml", "kafka: {bootstrapServers: k:9092}\ncorrelator: {grace: later, groupID: x}\n")
        let result = try await run(["correlate", "--config", path], in: fixture)
        #expect(result.status != 0)
        #expect(result.output.contains("correlator.grace: \"later\" is not a duration"), "\(result.output)")
        #expect(result.output.contains("correlator.groupID: unknown key; did you mean correlator.groupId?"))
    }
}
