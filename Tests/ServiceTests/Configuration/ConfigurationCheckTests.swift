import Foundation
import Service
import Testing

@Suite("config check names every problem with its key")
struct ConfigurationCheckTests {
    @Test("a file with five different mistakes reports all five, each with its key")
    func fiveMistakesFiveProblems() throws {
        let fixture = try ConfigFixture()
        let layers = try fixture.layers(
            "config.yaml",
            """
            kafka:
              topicPrefix: inboxwatch
            tenants:
              contoso:
                id: contoso.onmicrosoft.com
                clientId: app-1
                clientSecretFile: /nonexistent/secret
            collector:
              audit:
                blobConcurrency: 500
            correlator:
              grace: 5 minutes
              checkpointIntervall: 5s
            """)
        let problems = ConfigurationCheck().problems(in: layers)
        #expect(
            problems.map(\.key).sorted() == [
                "collector.audit.blobConcurrency", "correlator.checkpointIntervall", "correlator.grace",
                "kafka.bootstrapServers", "tenants.contoso.clientSecretFile",
            ])
        let text = problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("kafka.bootstrapServers: missing; set host:port[,host:port]"))
        #expect(text.contains("tenants.contoso.clientSecretFile: /nonexistent/secret does not exist"))
        #expect(text.contains(#"correlator.grace: "5 minutes" is not a duration; use e.g. 90s, 5m"#))
        #expect(
            text.contains("correlator.checkpointIntervall: unknown key; did you mean correlator.checkpointInterval?"))
        #expect(text.contains("collector.audit.blobConcurrency: 500 is out of range; use a whole number from 1 to 64"))
    }

    @Test("a valid file has no problems, in YAML and in JSON alike")
    func yamlAndJSONAccepted() throws {
        let fixture = try ConfigFixture()
        #expect(ConfigurationCheck().problems(in: try fixture.layers("config.yaml", try fixture.validYAML())).isEmpty)
        let secret = try fixture.write("secrets/json", "s3cr3t")
        let json = try fixture.layers(
            "config.json",
            """
            {"kafka": {"bootstrapServers": "kafka-1:9092", "properties": {"security.protocol": "SSL"}},
             "tenants": {"contoso": {"id": "contoso.onmicrosoft.com", "clientId": "app-1", "clientSecretFile": "\(secret)"}},
             "collector": {"audit": {"blobConcurrency": 8, "contentTypes": ["Audit.Exchange"]}}}
            """)
        #expect(json.file?.format == .json)
        #expect(ConfigurationCheck().problems(in: json).isEmpty)
        #expect(json.value("collector.audit.blobConcurrency") == .text("8"))
        #expect(json.value("kafka.properties.security.protocol") == .text("SSL"))
        #expect(json.tenants.map(\.id) == ["contoso.onmicrosoft.com"])
    }

    @Test("OAUTHBEARER: the token endpoint's address may be in the file, its client secret only in a file of its own")
    func oauthBearerFromConfiguration() throws {
        let fixture = try ConfigFixture()
        let yaml = { (secretFile: String) in
            """
            kafka:
              bootstrapServers: kafka-1:9093
              properties:
                security.protocol: SASL_SSL
                sasl.mechanism: OAUTHBEARER
                sasl.oauthbearer.method: oidc
                sasl.oauthbearer.token.endpoint.url: https://idp.example/oauth2/token
              propertyFiles:
                sasl.oauthbearer.client.secret: \(secretFile)
            """
        }
        let secret = try fixture.write("secrets/oauth", "s3cr3t")
        let good = try fixture.layers("good.yaml", yaml(secret))
        #expect(ConfigurationCheck().problems(in: good).isEmpty, "\(ConfigurationCheck().problems(in: good))")
        let missing = ConfigurationCheck().problems(in: try fixture.layers("bad.yaml", yaml("/nonexistent/oauth")))
        #expect(missing.map(\.key) == ["kafka.propertyFiles.sasl.oauthbearer.client.secret"])
        let inline = ConfigurationCheck().problems(
            in: try fixture.layers(
                "inline.yaml",
                "kafka: {bootstrapServers: k:9092, properties: {sasl.oauthbearer.client.secret: s3cr3t}}\n"))
        #expect(inline.map(\.key) == ["kafka.properties.sasl.oauthbearer.client.secret"])
        #expect(!inline.map(\.description).joined().contains("s3cr3t"))
    }

    @Test("a wrong type in JSON names the key and what is expected")
    func wrongTypeInJSON() throws {
        let fixture = try ConfigFixture()
        let layers = try fixture.layers(
            "config.json",
            #"{"kafka": {"bootstrapServers": ["a:1"]}, "collector": {"audit": {"blobConcurrency": "four", "contentTypes": ["Audit.Exchang"]}}}"#
        )
        let text = ConfigurationCheck().problems(in: layers).map(\.description).joined(separator: "\n")
        #expect(text.contains("kafka.bootstrapServers: is a list; expected one value"))
        #expect(text.contains(#"collector.audit.blobConcurrency: "four" is not a whole number"#))
        #expect(text.contains(#""Audit.Exchang" is not one of"#) && text.contains("did you mean Audit.Exchange?"))
    }

    @Test("a tenant with both a secret and a certificate, or with neither, is refused")
    func tenantCredentialRules() throws {
        let fixture = try ConfigFixture()
        let secret = try fixture.write("secret", "x")
        let key = try fixture.write("key.pem", "x")
        let layers = try fixture.layers(
            "config.yaml",
            """
            kafka: {bootstrapServers: "k:9092"}
            tenants:
              both:
                id: both.example
                clientId: a
                clientSecretFile: \(secret)
                certificateKeyFile: \(key)
                certificateThumbprint: 3A1F9C0B7E2D4A6F8B0C1D2E3F4A5B6C7D8E9F00
              neither:
                id: neither.example
                clientId: b
            """)
        let problems = ConfigurationCheck().problems(in: layers)
        #expect(problems.map(\.key).sorted() == ["tenants.both", "tenants.neither"])
        #expect(problems.first { $0.key == "tenants.both" }?.message.contains("keep exactly one credential") == true)
        #expect(problems.first { $0.key == "tenants.neither" }?.message.contains("no credential") == true)
    }

    @Test("a list of tenant objects is refused with the mapping to write instead")
    func listOfObjectsRefused() throws {
        let fixture = try ConfigFixture()
        let path = try fixture.write("config.yaml", "tenants:\n  - id: a\n    clientId: b\n")
        #expect {
            _ = try ConfigFile(path: path)
        } throws: { error in
            "\(error)".contains("name each entry instead")
        }
    }

    @Test("every key of the schema is documented in deploy/config.example.yaml")
    func exampleDocumentsEveryKey() throws {
        let example = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        for spec in InboxwatchSchema.keys {
            let leaf = spec.pattern.split(separator: ".").last { $0 != "*" && $0 != "**" }!
            #expect(example.contains("\(leaf)"), "deploy/config.example.yaml does not mention \(spec.pattern)")
        }
        let layers = ConfigurationLayers(file: try ConfigFile(path: Self.examplePath), environment: [:])
        let unknown = ConfigurationCheck().problems(in: layers).filter { $0.message.hasPrefix("unknown key") }
        #expect(unknown.isEmpty)
    }

    static var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "deploy/config.example.yaml"
            ).path
    }
}
