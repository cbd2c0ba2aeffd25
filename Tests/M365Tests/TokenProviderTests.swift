import Foundation
import HTTP
import M365
import TenantSimulator
import Testing
import _CryptoExtras

@Suite("TokenProvider against the simulator")
struct TokenProviderTests {
    @Test("a token is cached, then refreshed once it is within the margin of expiry")
    func cachedThenRefreshedBeforeExpiry() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector, refreshMargin: .seconds(300))
        let scope = harness.endpoints.graphScope

        let first = try await tokens.token(tenantId: harness.tenantId, scope: scope)
        let second = try await tokens.token(tenantId: harness.tenantId, scope: scope)
        #expect(first.value == second.value)
        #expect(await tokens.tokenRequestCount == 1, "the second call is answered from the cache")

        // The simulator issues tokens for 3599 s; 301 s before expiry the cache still answers.
        await harness.advance(by: 3599 - 301)
        #expect(try await tokens.token(tenantId: harness.tenantId, scope: scope).value == first.value)
        #expect(await tokens.tokenRequestCount == 1)

        // Inside the margin: a new token, while the old one is still valid on the server.
        await harness.advance(by: 2)
        #expect(harness.clock.now < first.expiresAt)
        let refreshed = try await tokens.token(tenantId: harness.tenantId, scope: scope)
        #expect(refreshed.value != first.value)
        #expect(refreshed.expiresAt > first.expiresAt)
        #expect(await tokens.tokenRequestCount == 2)

        // One token per (tenant, scope): the Management scope is a token of its own.
        let management = try await tokens.token(tenantId: harness.tenantId, scope: harness.endpoints.managementScope)
        #expect(management.value != refreshed.value)
        #expect(await tokens.tokenRequestCount == 3)
    }

    @Test("concurrent callers share one refresh")
    func concurrentCallersShareOneRefresh() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector)
        let tenantId = harness.tenantId
        let scope = harness.endpoints.graphScope
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<25 {
                group.addTask { try await tokens.token(tenantId: tenantId, scope: scope).value }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(values.count == 1)
        #expect(await tokens.tokenRequestCount == 1)
    }

    @Test("a wrong secret fails with AADSTS7000215 and Entra's text")
    func badSecret() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector, secret: "not-the-secret")
        let error = await #expect(throws: TokenError.self) {
            _ = try await tokens.token(tenantId: harness.tenantId, scope: harness.endpoints.graphScope)
        }
        #expect(error?.code == .invalidClient)
        #expect(error?.aadsts == 7_000_215)
        #expect(error?.oauthError == "invalid_client")
        #expect(error?.message.hasPrefix("AADSTS7000215: Invalid client secret provided.") == true)
        #expect(error?.message.contains("\n") == false, "trace and correlation lines are dropped")
        #expect(error?.isRetriable == false)
    }

    @Test("an unknown tenant is tenantNotFound (AADSTS90002)")
    func unknownTenant() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector)
        let error = await #expect(throws: TokenError.self) {
            _ = try await tokens.token(
                tenantId: "00000000-0000-0000-0000-000000000000", scope: harness.endpoints.graphScope)
        }
        #expect(error?.code == .tenantNotFound)
        #expect(error?.aadsts == 90002)
    }

    @Test("a certificate credential signs in with an RS256 client assertion")
    func certificate() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let thumbprint = try #require(AppCredential.x5t(hexThumbprint: String(repeating: "AB", count: 20)))
        let app = harness.tenant.apps.collector
        try await harness.tenant.registerCertificate(
            clientId: app.clientId, publicKeyPEM: key.publicKey.pemRepresentation, thumbprint: thumbprint)

        let tokens = harness.tokens(
            clientId: app.clientId, credential: .certificate(privateKey: key, thumbprint: thumbprint))
        let token = try await tokens.token(tenantId: harness.tenantId, scope: harness.endpoints.managementScope)
        #expect(!token.value.isEmpty)
        // A second provider makes a second assertion with its own jti: not refused as a replay.
        let again = harness.tokens(
            clientId: app.clientId, credential: .certificate(privateKey: key, thumbprint: thumbprint))
        _ = try await again.token(tenantId: harness.tenantId, scope: harness.endpoints.managementScope)

        // A key the app does not know is refused with Entra's code.
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let refused = harness.tokens(
            clientId: app.clientId, credential: .certificate(privateKey: stranger, thumbprint: thumbprint))
        let error = await #expect(throws: TokenError.self) {
            _ = try await refused.token(tenantId: harness.tenantId, scope: harness.endpoints.managementScope)
        }
        #expect(error?.code == .invalidClient)
        #expect(error?.aadsts == 700_027)
    }

    @Test("the client assertion is byte for byte what the simulator's reference builder makes")
    func assertionMatchesReference() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let issuedAt = Date(timeIntervalSince1970: 1_795_200_000.7)
        let audience = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token"
        let ours = try ClientAssertionBuilder.make(
            clientId: "client", audience: audience, privateKey: key, thumbprint: "x5t-value", issuedAt: issuedAt,
            lifetime: 600, jti: "fixed-jti")
        let reference = try ClientAssertion.make(
            clientId: "client", audience: audience, privateKey: key, thumbprint: "x5t-value", issuedAt: issuedAt,
            lifetime: 600, jti: "fixed-jti")
        #expect(ours == reference)
    }

    @Test("credentials and tokens never print their secrets")
    func descriptionsRedact() throws {
        let secret = AppCredential.secret("s3cr3t-value")
        #expect(!"\(secret)".contains("s3cr3t"))
        #expect(!String(reflecting: secret).contains("s3cr3t"))
        let identity = AppIdentity(clientId: "id", credential: secret)
        #expect(!"\(identity)".contains("s3cr3t"))
        let token = AccessToken(value: "bearer-value", tenantId: "t", scope: "s", expiresAt: Date())
        #expect(!"\(token)".contains("bearer-value"))
        #expect(!String(reflecting: token).contains("bearer-value"))
        #expect(AppCredential.x5t(hexThumbprint: "not hex") == nil)
    }
}
