import Foundation
import HTTP
import Logging
import M365
import TenantSimulator
import Testing
import _CryptoExtras

@Suite("Logs never carry secrets")
struct LogLeakTests {
    @Test("a full run logged at trace level shows no secret, no client assertion and no bearer token")
    func fullRunAtTraceLevel() async throws {
        let capture = LogCapture()
        let harness = try await Harness.start(logger: capture.logger())
        defer { Task { await harness.stop() } }
        let collector = harness.tenant.apps.collector
        let actionsApp = harness.tenant.apps.actions
        var tokens: [String] = []

        // Secret credential: Management subscription, listing, blob.
        let collectorTokens = harness.tokens(collector)
        let management = harness.management(collectorTokens)
        try await management.startSubscription(.exchange)
        let blobs = try await management.listContent(
            contentType: .exchange, window: ManagementActivityClientTests.window)
        _ = try await management.fetchBlob(try #require(blobs.first))
        tokens.append(
            try await collectorTokens.token(tenantId: harness.tenantId, scope: harness.endpoints.managementScope).value)

        // Graph reads, then a token expired on the server (the 401 path).
        let graph = harness.graph(collectorTokens)
        _ = try await graph.users()
        tokens.append(
            try await collectorTokens.token(tenantId: harness.tenantId, scope: harness.endpoints.graphScope).value)
        await harness.tenant.expireAllTokens()
        let inbox = await harness.busiestInbox()
        _ = try await graph.messagesDelta(mailbox: inbox.userId)
        tokens.append(
            try await collectorTokens.token(tenantId: harness.tenantId, scope: harness.endpoints.graphScope).value)

        // Certificate credential.
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try await harness.tenant.registerCertificate(
            clientId: collector.clientId, publicKeyPEM: key.publicKey.pemRepresentation, thumbprint: "thumb")
        let certificateTokens = harness.tokens(
            clientId: collector.clientId, credential: .certificate(privateKey: key, thumbprint: "thumb"))
        _ = try await harness.management(certificateTokens).listSubscriptions()
        tokens.append(
            try await certificateTokens.token(tenantId: harness.tenantId, scope: harness.endpoints.managementScope)
                .value)

        // An action with the action app, and a refused secret.
        let actionTokens = harness.tokens(actionsApp)
        let moved = await harness.actions(actionTokens).moveMessage(
            mailbox: inbox.userId, messageId: inbox.messageIds[0], to: .junkEmail)
        #expect(moved.isDone)
        tokens.append(
            try await actionTokens.token(tenantId: harness.tenantId, scope: harness.endpoints.graphScope).value)
        let wrong = harness.tokens(collector, secret: "wrong-secret-value-123")
        _ = try? await wrong.token(tenantId: harness.tenantId, scope: harness.endpoints.graphScope)

        let lines = capture.all
        let text = lines.joined(separator: "\n")
        #expect(lines.count > 20, "the run was logged")
        #expect(text.contains("HTTP request"), "trace-level request lines were captured")
        #expect(text.contains("Bearer REDACTED"), "headers were logged, redacted")

        var secrets: [(String, String)] = [
            ("collector secret", collector.clientSecret), ("action app secret", actionsApp.clientSecret),
            ("refused secret", "wrong-secret-value-123"),
            // Any JWT (a client assertion) starts with base64url of `{"`.
            ("a JWT", "eyJ"),
        ]
        secrets += tokens.map { ("an access token", $0) }
        // The private key, by a stretch of its PEM body.
        let pemBody = key.pemRepresentation.split(separator: "\n").dropFirst().first.map(String.init) ?? "unused"
        secrets.append(("the private key", pemBody))
        for (what, secret) in secrets {
            let leaking = lines.filter { $0.contains(secret) }
            #expect(leaking.isEmpty, "\(what) appears in the log: \(leaking.first ?? "")")
        }
        // Nothing that looks like an unredacted credential parameter or header.
        for marker in ["client_secret=", "client_assertion=", "access_token="] {
            #expect(
                !lines.contains { $0.contains(marker) && !$0.contains(marker + "REDACTED") },
                "\(marker) appears with a value")
        }
        #expect(!lines.contains { $0.range(of: "Bearer (?!REDACTED)", options: .regularExpression) != nil })
    }
}
