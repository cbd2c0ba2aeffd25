import Collector
import Events
import Foundation
import Kafka
import M365
import TenantSimulator
import Testing

extension CollectorIntegration {
    @Suite("Several tenants in one collector process", .serialized)
    struct MultiTenantTests {
        @Test("a tenants file with several tenants loads each with its own credential; every problem is named by key")
        func tenantsFileLoadsAndNamesProblems() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tenants-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let secret = directory.appendingPathComponent("secret-a")
            try Data("s3cret-a\n".utf8).write(to: secret)
            let good = directory.appendingPathComponent("good.json")
            try Data(
                """
                {"tenants": [
                  {"tenantId": "7f3b2c1a-4d5e-4f60-9a8b-2c1d0e9f8a7b", "clientId": "a", "clientSecretFile": "\(secret.path)"},
                  {"tenantId": "contoso.onmicrosoft.com", "clientId": "b", "clientSecretEnv": "TENANT_B_SECRET",
                   "publisherIdentifier": "9a1e0c4e-0000-4000-8000-000000000001"}
                ]}
                """.utf8
            ).write(to: good)
            let tenants = try TenantsFile.load(good.path)
            #expect(tenants.map(\.clientId) == ["a", "b"])
            let identity = try tenants[0].identity(environment: [:])
            #expect("\(identity)".contains("redacted"))
            #expect(!"\(identity)".contains("s3cret"))
            #expect(throws: CollectorError.self) { try tenants[1].identity(environment: [:]) }

            let bad = directory.appendingPathComponent("bad.json")
            try Data(
                """
                {"tenants": [
                  {"tenantId": "not a tenant", "clientId": "", "clientSecretFile": "/x", "clientSecretEnv": "Y"}
                ]}
                """.utf8
            ).write(to: bad)
            do {
                _ = try TenantsFile.load(bad.path)
                Issue.record("a bad tenants file must be refused")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains("tenants[0].tenantId"))
                #expect(error.message.contains("tenants[0].clientId"))
                #expect(error.message.contains("exactly one credential"))
            }
            let missing = directory.appendingPathComponent("missing.json")
            try Data(#"{"tenants": [{"clientId": "a"}]}"#.utf8).write(to: missing)
            #expect { try TenantsFile.load(missing.path) } throws: { error in
                "\(error)".contains("tenants[0].tenantId is missing")
            }
        }

        @Test("two tenants collected side by side each get their own records, keyed by their own tenant")
        func twoTenantsSideBySide() async throws {
            let now = CollectorHarness.worldStart.addingTimeInterval(31 * 3600)
            let first = try await CollectorHarness.start(CollectorHarness.configuration(users: 15), now: now)
            var secondConfiguration = CollectorHarness.configuration(scenarios: ["hiding-rule"], users: 15)
            secondConfiguration.seed = 99
            let secondTenant = SimulatedTenant(configuration: secondConfiguration, clock: SimulationClock(.manual(now)))
            let secondServer = try await RunningSimulatorServer.start(tenant: secondTenant, logger: first.logger)
            #expect(secondTenant.world.directory.tenantId != first.tenantId)

            let secondEndpoints = M365Endpoints.simulator(baseURL: secondServer.baseURL)
            let secondApp = secondTenant.apps.collector
            let secondTokens = TokenProvider(
                identity: AppIdentity(clientId: secondApp.clientId, credential: .secret(secondApp.clientSecret)),
                endpoints: secondEndpoints, http: first.http, clock: first.m365Clock, logger: first.logger)
            let settings = AuditCollector.Settings(
                contentTypes: [.exchange, .azureActiveDirectory], backfillFrom: CollectorHarness.worldStart, once: true,
                leaseSessionTimeoutMilliseconds: 6000)
            let collectors = [
                AuditCollector(
                    client: first.managementClient(tokens: first.tokens(first.tenant.apps.collector)),
                    publisher: first.publisher, kafka: first.kafka, settings: settings, clock: first.m365Clock,
                    logger: first.logger),
                AuditCollector(
                    client: ManagementActivityClient(
                        tenantId: secondTenant.world.directory.tenantId, tokens: secondTokens, http: first.http,
                        endpoints: secondEndpoints, clock: first.m365Clock, logger: first.logger),
                    publisher: first.publisher, kafka: first.kafka, settings: settings, clock: first.m365Clock,
                    logger: first.logger),
            ]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for collector in collectors { group.addTask { try await collector.run() } }
                try await group.waitForAll()
            }
            let raw = try await first.readAll(first.catalog.rawAudit)
            for tenant in [first.tenant, secondTenant] {
                let id = tenant.world.directory.tenantId.lowercased()
                let onTopic = Set(raw.filter { $0.keyString?.hasPrefix(id + "/") == true }.compactMap(\.ceID))
                let expected = Set(
                    tenant.world.timeline.auditRecords.filter {
                        $0.id != nil && [.exchange, .azureActiveDirectory].contains($0.contentType)
                    }.compactMap { $0.id?.lowercased() })
                #expect(onTopic == expected, "tenant \(id)")
            }
            try? await secondServer.stop()
            await first.stop()
        }
    }
}
