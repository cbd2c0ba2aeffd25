import Service
import Testing

@Suite("file < environment < flags")
struct ConfigurationPrecedenceTests {
    @Test("a flag wins over the environment, which wins over the file")
    func flagOverEnvironmentOverFile() throws {
        let fixture = try ConfigFixture()
        let file = """
            correlator:
              groupId: from-file
              grace: 10m
              idleAfter: 7s
            """
        let layers = try fixture.layers(
            "config.yaml", file,
            environment: ["INBOXWATCH_CORRELATOR_GROUP_ID": "from-env", "INBOXWATCH_CORRELATOR_GRACE": "20m"],
            flags: ["correlator.groupId": .text("from-flag")])
        #expect(layers.value("correlator.groupId") == .text("from-flag"))
        #expect(layers.source("correlator.groupId") == .flag)
        #expect(layers.value("correlator.grace") == .text("20m"))
        #expect(layers.source("correlator.grace") == .environment)
        #expect(layers.value("correlator.idleAfter") == .text("7s"))
        #expect(layers.source("correlator.idleAfter") == .file)
    }

    @Test("environment variables are INBOXWATCH_ and the key in upper snake case")
    func environmentNames() throws {
        #expect(InboxwatchSchema.environmentName("kafka.bootstrapServers") == "INBOXWATCH_KAFKA_BOOTSTRAP_SERVERS")
        #expect(
            InboxwatchSchema.environmentName("tenants.contoso.clientSecret")
                == "INBOXWATCH_TENANTS_CONTOSO_CLIENT_SECRET")
        // The name each key documents is the one swift-configuration's provider actually reads.
        let layers = ConfigurationLayers(
            file: nil,
            environment: [
                "INBOXWATCH_KAFKA_BOOTSTRAP_SERVERS": "k:9092",
                "INBOXWATCH_COLLECTOR_AUDIT_CONTENT_TYPES": "Audit.Exchange,Audit.General",
            ])
        #expect(layers.value("kafka.bootstrapServers") == .text("k:9092"))
        #expect(layers.value("collector.audit.contentTypes")?.items == ["Audit.Exchange", "Audit.General"])
        #expect(ConfigurationCheck().problems(in: layers).isEmpty)
    }

    @Test("an environment value is checked like a file's and named by its key")
    func environmentValueChecked() throws {
        let fixture = try ConfigFixture()
        let layers = try fixture.layers(
            "config.yaml", try fixture.validYAML(), environment: ["INBOXWATCH_CORRELATOR_GRACE": "soon"])
        #expect(ConfigurationCheck().problems(in: layers).map(\.key) == ["correlator.grace"])
    }
}
