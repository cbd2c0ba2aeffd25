import Service
import Testing

@Suite("secrets come from files or the environment and are never printed")
struct ConfigurationSecretTests {
    static let secret = "hunter2-do-not-print"

    @Test("a secret written into the file is refused without being quoted")
    func secretInFileRefused() throws {
        let fixture = try ConfigFixture()
        let layers = try fixture.layers(
            "config.yaml",
            """
            kafka:
              bootstrapServers: k:9092
              properties:
                sasl.password: \(Self.secret)
            tenants:
              contoso:
                id: contoso.example
                clientId: a
                clientSecret: \(Self.secret)
            """)
        let problems = ConfigurationCheck().problems(in: layers)
        #expect(Set(problems.map(\.key)) == ["kafka.properties.sasl.password", "tenants.contoso.clientSecret"])
        let text = problems.map(\.description).joined(separator: "\n") + "\(ConfigurationSummary(layers))"
        #expect(!text.contains(Self.secret))
        #expect(text.contains("INBOXWATCH_TENANTS_CONTOSO_CLIENT_SECRET"))
    }

    @Test("secrets from the environment are used, and shown as <secret>")
    func secretFromEnvironment() throws {
        let fixture = try ConfigFixture()
        let layers = try fixture.layers(
            "config.yaml",
            """
            kafka:
              bootstrapServers: k:9092
              properties: {security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512, sasl.username: iw}
            tenants:
              contoso: {id: contoso.example, clientId: a}
            """,
            environment: [
                "INBOXWATCH_KAFKA_SASL_PASSWORD": Self.secret,
                "INBOXWATCH_TENANTS_CONTOSO_CLIENT_SECRET": Self.secret,
                "INBOXWATCH_CORRELATOR_GRACE": "not a duration",
            ])
        let problems = ConfigurationCheck().problems(in: layers)
        #expect(problems.map(\.key) == ["correlator.grace"])
        let summary = "\(ConfigurationSummary(layers))"
        #expect(summary.contains("kafka.saslPassword = <secret> (environment)"))
        #expect(summary.contains("tenants.contoso.clientSecret = <secret> (environment)"))
        let password = try layers.saslPassword()
        #expect(password?.revealed == Self.secret)
        #expect("\(password!)" == "<secret>")
        #expect(layers.tenants.first?.collector.clientSecretEnv == "INBOXWATCH_TENANTS_CONTOSO_CLIENT_SECRET")
        #expect(!(summary + problems.description).contains(Self.secret))
    }
}
