import Foundation
import HTTP
import TenantSimulator
import Testing
import _CryptoExtras

// One key pair for the whole suite: generating 2048-bit RSA keys is slow in debug builds, and no
// test depends on the key being fresh. A second key stands in for an attacker's.
private let registeredKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
private let otherKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

private let now = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15 15:06:40Z
private let tenantId = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
private let secretAppId = "11111111-2222-4333-8444-555555555555"
private let certAppId = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
private let thumbprint = "q1w2e3r4t5y6u7i8o9p0a1s2d3f"
private let simulatorEndpoint = TokenIssuer.tokenEndpoint(loginBase: "http://127.0.0.1:8443", tenant: tenantId)
private let graphScope = "https://graph.microsoft.com/.default"
private let managementScope = "https://manage.office.com/.default"

private func makeIssuer(maximumStoredTokens: Int = 10_000) -> TokenIssuer {
    let secretApp = AppRegistration(
        clientId: secretAppId,
        displayName: "Inboxwatch Collector",
        secrets: [
            ClientSecret(value: "good~secret", expiresAt: now.addingTimeInterval(86_400)),
            ClientSecret(value: "old~secret", expiresAt: now.addingTimeInterval(-86_400)),
        ],
        grantedRoles: [
            EntraResource.graph: ["Mail.Read", "User.Read.All"],
            EntraResource.managementActivity + "/": ["ActivityFeed.Read"],
        ]
    )
    let certApp = AppRegistration(
        clientId: certAppId,
        displayName: "Inboxwatch Actions",
        certificates: [RegisteredCertificate(publicKey: registeredKey.publicKey, thumbprint: thumbprint)],
        grantedRoles: [EntraResource.graph: ["Mail.ReadWrite"]]
    )
    let tenant = EntraTenant(
        tenantId: tenantId,
        displayName: "Contoso",
        domains: ["contoso.onmicrosoft.com", "contoso.com"],
        applications: [secretApp, certApp]
    )
    return TokenIssuer(tenant: tenant, maximumStoredTokens: maximumStoredTokens)
}

private func form(_ pairs: [(String, String?)]) -> TokenRequest {
    let present = pairs.compactMap { name, value in value.map { (name: name, value: $0) } }
    return TokenRequest(formBody: Data(FormURLEncoding.encode(present).utf8))
}

private func secretRequest(
    clientId: String = secretAppId,
    secret: String? = "good~secret",
    scope: String? = graphScope
) -> TokenRequest {
    form([
        ("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret), ("scope", scope),
    ])
}

private func assertionRequest(_ assertion: String, clientId: String = certAppId) -> TokenRequest {
    form([
        ("grant_type", "client_credentials"), ("client_id", clientId),
        ("client_assertion_type", ClientAssertion.assertionType), ("client_assertion", assertion),
        ("scope", graphScope),
    ])
}

private func assertion(
    clientId: String = certAppId,
    audience: String = simulatorEndpoint,
    key: _RSA.Signing.PrivateKey = registeredKey,
    thumbprint: String? = thumbprint,
    issuedAt: Date = now,
    lifetime: TimeInterval = 600,
    jti: String = UUID().uuidString,
    algorithm: ClientAssertion.Algorithm = .rs256
) throws -> String {
    try ClientAssertion.make(
        clientId: clientId, audience: audience, privateKey: key, thumbprint: thumbprint, issuedAt: issuedAt,
        lifetime: lifetime, jti: jti, algorithm: algorithm)
}

/// Signs arbitrary header and claims JSON, independently of `ClientAssertion.make`, so the verifier
/// is checked against a second implementation and against claims `make` would never write.
private func signedJWT(
    header: String = #"{"alg":"RS256","typ":"JWT","x5t":"\#(thumbprint)"}"#,
    claims: String,
    padding: _RSA.Signing.Padding = .insecurePKCS1v1_5
) throws -> String {
    func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
    let input = encode(Data(header.utf8)) + "." + encode(Data(claims.utf8))
    let signature = try registeredKey.signature(for: Data(input.utf8), padding: padding)
    return input + "." + encode(signature.rawRepresentation)
}

private func claims(
    iss: String = certAppId,
    sub: String = certAppId,
    aud: String = #""\#(simulatorEndpoint)""#,
    jti: String? = "jti-raw"
) -> String {
    let seconds = Int(now.timeIntervalSince1970)
    let jtiMember = jti.map { #","jti":"\#($0)""# } ?? ""
    return #"{"aud":\#(aud),"iss":"\#(iss)","sub":"\#(sub)","nbf":\#(seconds),"exp":\#(seconds + 600)\#(jtiMember)}"#
}

extension TokenIssuer {
    fileprivate mutating func issue(
        _ request: TokenRequest,
        tenant: String = tenantId,
        at time: Date = now,
        lifetime: TimeInterval = 3599
    ) -> TokenDecision {
        issue(request, tenantInPath: tenant, assertionAudience: simulatorEndpoint, now: time, tokenLifetime: lifetime)
    }
}

extension TokenDecision {
    fileprivate var token: IssuedToken? {
        if case .issued(let token) = self { return token }
        return nil
    }

    fileprivate var failure: EntraError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}

private func jsonObject(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The Entra ID token endpoint rules, checked on `TokenIssuer` directly with fixed clocks.
@Suite struct TokenEndpointTests {
    // MARK: - Client secrets

    @Test func aSecretGetsATokenForEachResourceThatValidatesOnlyForItsAudience() throws {
        var issuer = makeIssuer()
        let graph = try #require(issuer.issue(secretRequest(scope: graphScope)).token)
        let management = try #require(issuer.issue(secretRequest(scope: managementScope)).token)

        #expect(graph.audience == EntraResource.graph)
        #expect(graph.roles == ["Mail.Read", "User.Read.All"])
        #expect(management.audience == EntraResource.managementActivity)
        #expect(management.roles == ["ActivityFeed.Read"])
        #expect(graph.accessToken != management.accessToken)
        // A JWT like Entra's, whose payload names the app, the tenant and the granted roles.
        let segments = graph.accessToken.split(separator: ".")
        #expect(segments.count == 3)
        var payloadText = String(segments[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(
            of: "_", with: "/")
        while payloadText.count % 4 != 0 { payloadText += "=" }
        let payloadData = try #require(Data(base64Encoded: payloadText))
        let payload = try #require(try JSONSerialization.jsonObject(with: payloadData) as? [String: Any])
        #expect(payload["roles"] as? [String] == ["Mail.Read", "User.Read.All"])
        #expect(payload["aud"] as? String == EntraResource.graph)
        #expect(payload["idtyp"] as? String == "app")

        #expect(issuer.validate(bearer: graph.accessToken, audience: EntraResource.graph, now: now) == .valid(graph))
        #expect(
            issuer.validate(bearer: "Bearer " + graph.accessToken, audience: "https://graph.microsoft.com/", now: now)
                == .valid(graph))
        #expect(
            issuer.validate(bearer: graph.accessToken, audience: EntraResource.managementActivity, now: now)
                == .wrongAudience)
        #expect(
            issuer.validate(bearer: management.accessToken, audience: EntraResource.managementActivity, now: now)
                == .valid(management))
        #expect(
            issuer.validate(bearer: management.accessToken, audience: EntraResource.graph, now: now) == .wrongAudience)
        #expect(issuer.validate(bearer: "sim.never-issued", audience: EntraResource.graph, now: now) == .unknown)
    }

    @Test func theSuccessBodyHasEntrasKeysInEntrasOrder() throws {
        var issuer = makeIssuer()
        let token = try #require(issuer.issue(secretRequest(), lifetime: 3599).token)
        let body = String(decoding: token.responseBody(), as: UTF8.self)
        let expected =
            #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"#
            + #""access_token":"\#(token.accessToken)"}"#
        #expect(body == expected)
        #expect(token.expiresAt == now.addingTimeInterval(3599))
    }

    @Test func aTenantDomainNameWorksInPlaceOfTheTenantId() {
        var issuer = makeIssuer()
        #expect(issuer.issue(secretRequest(), tenant: "contoso.onmicrosoft.com").token != nil)
        #expect(issuer.issue(secretRequest(), tenant: "Contoso.COM").token != nil)
        #expect(issuer.issue(secretRequest(), tenant: tenantId.uppercased()).token != nil)
    }

    @Test func aWrongSecretIsRejectedWith7000215AsEntraRendersIt() throws {
        var issuer = makeIssuer()
        let request = TokenRequest(
            formBody: Data(
                "grant_type=client_credentials&client_id=\(secretAppId)&client_secret=nope&scope=\(graphScope)".utf8),
            clientRequestId: "c0ffee00-0000-4000-8000-000000000001"
        )
        let error = try #require(issuer.issue(request).failure)
        #expect(error.httpStatus == 401)
        #expect(error.error == "invalid_client")
        #expect(error.codes == [7_000_215])

        let body = error.jsonBody()
        let text = String(decoding: body, as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."#))
        let json = try jsonObject(body)
        #expect(
            Set(json.keys)
                == [
                    "error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri",
                ])
        #expect(json["error_codes"] as? [Int] == [7_000_215])
        #expect(json["timestamp"] as? String == "2025-06-15 15:06:40Z")
        #expect(json["correlation_id"] as? String == "c0ffee00-0000-4000-8000-000000000001")
        #expect(json["error_uri"] as? String == "https://login.microsoftonline.com/error?code=7000215")
        let traceId = try #require(json["trace_id"] as? String)
        #expect(UUID(uuidString: traceId) != nil)
        let description = try #require(json["error_description"] as? String)
        #expect(description.hasPrefix("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent"))
        #expect(description.contains("for a secret added to app '\(secretAppId)'."))
        #expect(
            description.hasSuffix(
                "\r\nTrace ID: \(traceId)\r\nCorrelation ID: c0ffee00-0000-4000-8000-000000000001\r\n"
                    + "Timestamp: 2025-06-15 15:06:40Z"))
    }

    @Test func anExpiredSecretIsRejectedWith7000222() throws {
        var issuer = makeIssuer()
        let error = try #require(issuer.issue(secretRequest(secret: "old~secret")).failure)
        #expect(error.httpStatus == 401)
        #expect(error.error == "invalid_client")
        #expect(error.code == 7_000_222)
        #expect(error.message.contains("The provided client secret keys for app '\(secretAppId)' are expired."))

        // The good secret stops working at its own expiry, too.
        let later = now.addingTimeInterval(86_400)
        #expect(issuer.issue(secretRequest(), at: later).failure?.code == 7_000_222)
    }

    @Test func aRequestWithNeitherSecretNorAssertionIsRejectedWith7000218() throws {
        var issuer = makeIssuer()
        let error = try #require(issuer.issue(secretRequest(secret: nil)).failure)
        #expect(error.httpStatus == 401)
        #expect(error.error == "invalid_client")
        #expect(error.code == 7_000_218)
        #expect(
            error.message
                == "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
    }

    @Test func anUnknownClientIsRejectedWith700016() throws {
        var issuer = makeIssuer()
        let stranger = "99999999-8888-4777-8666-555555555555"
        let error = try #require(issuer.issue(secretRequest(clientId: stranger)).failure)
        #expect(error.httpStatus == 400)
        #expect(error.error == "unauthorized_client")
        #expect(error.code == 700_016)
        #expect(
            error.message.hasPrefix(
                "Application with identifier '\(stranger)' was not found in the directory 'Contoso'."))
    }

    @Test func anUnknownTenantIsRejectedWith90002() throws {
        var issuer = makeIssuer()
        let error = try #require(issuer.issue(secretRequest(), tenant: "fabrikam.onmicrosoft.com").failure)
        #expect(error.httpStatus == 400)
        #expect(error.error == "invalid_request")
        #expect(error.code == 90002)
        #expect(error.message.hasPrefix("Tenant 'fabrikam.onmicrosoft.com' not found."))
    }

    @Test func grantTypesOtherThanClientCredentialsAreRejected() throws {
        var issuer = makeIssuer()
        let password = form([("grant_type", "password"), ("client_id", secretAppId), ("scope", graphScope)])
        let unsupported = try #require(issuer.issue(password).failure)
        #expect(unsupported.error == "unsupported_grant_type")
        #expect(unsupported.code == 70003)
        #expect(unsupported.httpStatus == 400)

        let missing = try #require(issuer.issue(form([("client_id", secretAppId)])).failure)
        #expect(missing.error == "invalid_request")
        #expect(missing.code == 900_144)
    }

    // MARK: - Scope

    @Test(arguments: [
        "https://graph.microsoft.com/.default",
        "https://graph.microsoft.com//.default",
        "HTTPS://Graph.Microsoft.COM/.default",
        "https://graph.microsoft.com/.DEFAULT",
    ])
    func graphScopeSpellingsEntraAcceptsAreAccepted(scope: String) throws {
        var issuer = makeIssuer()
        let token = try #require(issuer.issue(secretRequest(scope: scope)).token)
        #expect(token.audience == EntraResource.graph)
        #expect(token.scope == "https://graph.microsoft.com/.default")
    }

    @Test(arguments: [
        ("https://graph.microsoft.com/Mail.Read", "invalid_scope", 1_002_012),
        ("Mail.Read", "invalid_scope", 1_002_012),
        ("https://graph.microsoft.com/.default https://manage.office.com/.default", "invalid_scope", 70011),
        ("https://graph.microsoft.com/.default offline_access", "invalid_scope", 70011),
        ("https://outlook.office365.com/.default", "invalid_resource", 500_011),
        ("   ", "invalid_request", 900_144),
    ])
    func badScopesAreRejected(scope: String, error: String, code: Int) throws {
        var issuer = makeIssuer()
        let rejected = try #require(issuer.issue(secretRequest(scope: scope)).failure)
        #expect(rejected.httpStatus == 400)
        #expect(rejected.error == error)
        #expect(rejected.code == code)
    }

    @Test func aMissingScopeIsAMissingParameter() throws {
        var issuer = makeIssuer()
        let rejected = try #require(issuer.issue(secretRequest(scope: nil)).failure)
        #expect(rejected.code == 900_144)
        #expect(rejected.message == "The request body must contain the following parameter: 'scope'.")
    }

    @Test func anAppWithNoRolesOnAResourceStillGetsATokenWithoutRoles() throws {
        var issuer = makeIssuer()
        let request = assertionRequest(try assertion())
        var managementRequest = request
        managementRequest.scope = managementScope
        let token = try #require(issuer.issue(managementRequest).token)
        #expect(token.roles.isEmpty)
    }

    // MARK: - Certificate assertions

    @Test(arguments: [ClientAssertion.Algorithm.rs256, .ps256])
    func aValidCertificateAssertionIssuesAToken(algorithm: ClientAssertion.Algorithm) throws {
        var issuer = makeIssuer()
        let token = try #require(issuer.issue(assertionRequest(try assertion(algorithm: algorithm))).token)
        #expect(token.clientId == certAppId)
        #expect(token.roles == ["Mail.ReadWrite"])
        #expect(issuer.validate(bearer: token.accessToken, audience: EntraResource.graph, now: now) == .valid(token))
    }

    @Test(arguments: [
        simulatorEndpoint,
        "https://login.microsoftonline.com/\(tenantId)/oauth2/v2.0/token",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/V2.0/token",
    ])
    func assertionsAddressedToTheSimulatorOrTheRealEndpointAreAccepted(audience: String) throws {
        var issuer = makeIssuer()
        #expect(issuer.issue(assertionRequest(try assertion(audience: audience))).token != nil)
    }

    @Test func aRegistrationWithoutThumbprintMatchesAnyKeyId() throws {
        var issuer = makeIssuer()
        issuer.tenant.applications[1].certificates = [
            try RegisteredCertificate(publicKeyPEM: registeredKey.publicKey.pemRepresentation, thumbprint: nil)
        ]
        #expect(issuer.issue(assertionRequest(try assertion(thumbprint: "anything"))).token != nil)
        #expect(issuer.issue(assertionRequest(try assertion(thumbprint: nil))).token != nil)
    }

    @Test func aTamperedAssertionFailsSignatureValidation() throws {
        var issuer = makeIssuer()
        let parts = try assertion().split(separator: ".").map(String.init)

        // A flipped signature character.
        var signature = Array(parts[2])
        signature[10] = signature[10] == "A" ? "B" : "A"
        let badSignature = [parts[0], parts[1], String(signature)].joined(separator: ".")
        let first = try #require(issuer.issue(assertionRequest(badSignature)).failure)
        #expect(first.httpStatus == 401)
        #expect(first.error == "invalid_client")
        #expect(first.code == 700_027)
        #expect(first.message.contains("The provided signature value did not match"))

        // Claims swapped for another app's, signature kept.
        let forged = try assertion(clientId: secretAppId).split(separator: ".").map(String.init)
        let swapped = [parts[0], forged[1], parts[2]].joined(separator: ".")
        #expect(issuer.issue(assertionRequest(swapped)).failure?.code == 700_027)

        // The registered thumbprint, but signed with someone else's key.
        let impostor = try assertion(key: otherKey)
        #expect(issuer.issue(assertionRequest(impostor)).failure?.code == 700_027)
    }

    @Test func anIndependentlySignedRS256AssertionIsAccepted() throws {
        var issuer = makeIssuer()
        #expect(issuer.issue(assertionRequest(try signedJWT(claims: claims()))).token != nil)
        // The same claims signed with PSS but labelled RS256 must not pass.
        let mislabelled = try signedJWT(claims: claims(jti: "jti-pss"), padding: .PSS)
        #expect(issuer.issue(assertionRequest(mislabelled)).failure?.code == 700_027)
    }

    @Test func anAssertionWhoseSubjectIsNotItsIssuerIsRejectedWith50048() throws {
        var issuer = makeIssuer()
        let error = try #require(issuer.issue(assertionRequest(try signedJWT(claims: claims(sub: "someone")))).failure)
        #expect(error.code == 50048)
        #expect(error.httpStatus == 401)
    }

    @Test func anArrayAudienceOrAMissingJtiIsMalformed() throws {
        var issuer = makeIssuer()
        let arrayAudience = try signedJWT(claims: claims(aud: #"["\#(simulatorEndpoint)"]"#))
        #expect(issuer.issue(assertionRequest(arrayAudience)).failure?.code == 50027)
        let noJti = try signedJWT(claims: claims(jti: nil))
        #expect(issuer.issue(assertionRequest(noJti)).failure?.code == 50027)
    }

    @Test func anUnregisteredThumbprintIsAKeyNotFound() throws {
        var issuer = makeIssuer()
        let error = try #require(issuer.issue(assertionRequest(try assertion(thumbprint: "not-registered"))).failure)
        #expect(error.httpStatus == 401)
        #expect(error.error == "invalid_client")
        #expect(error.code == 700_027)
        #expect(error.message.contains("The key was not found., Thumbprint of key used by client: 'not-registered'"))
        #expect(error.message.contains("configured keys for app Id '\(certAppId)'"))
    }

    @Test func anAssertionForAnotherAudienceIsRejectedWith700023() throws {
        var issuer = makeIssuer()
        let elsewhere = "https://login.microsoftonline.com/fabrikam.onmicrosoft.com/oauth2/v2.0/token"
        let error = try #require(issuer.issue(assertionRequest(try assertion(audience: elsewhere))).failure)
        #expect(error.httpStatus == 401)
        #expect(error.error == "invalid_client")
        #expect(error.code == 700_023)
    }

    @Test func anAssertionIssuedByAnotherClientIsRejectedWith700021() throws {
        var issuer = makeIssuer()
        // Signed with the registered key and thumbprint, but claiming to be someone else.
        let claimsOther = try assertion(clientId: secretAppId)
        let error = try #require(issuer.issue(assertionRequest(claimsOther)).failure)
        #expect(error.code == 700_021)
        #expect(error.httpStatus == 401)
    }

    @Test func anExpiredOrNotYetValidAssertionIsRejectedWith700024() throws {
        var issuer = makeIssuer()
        // Expired ten minutes ago: beyond the five minutes of allowed skew.
        let stale = try assertion(issuedAt: now.addingTimeInterval(-1200), lifetime: 600)
        let error = try #require(issuer.issue(assertionRequest(stale)).failure)
        #expect(error.httpStatus == 401)
        #expect(error.error == "invalid_client")
        #expect(error.code == 700_024)
        #expect(
            error.message.hasPrefix(
                "Client assertion is not within its valid time range. Current time: 2025-06-15T15:06:40.0000000Z, "
                    + "assertion valid from 2025-06-15T14:46:40.0000000Z, expiry time of assertion "
                    + "2025-06-15T14:56:40.0000000Z."))

        // Expired four minutes ago: inside the skew, so still accepted.
        let withinSkew = try assertion(issuedAt: now.addingTimeInterval(-840), lifetime: 600)
        #expect(issuer.issue(assertionRequest(withinSkew)).token != nil)

        // Not valid for another ten minutes.
        let early = try assertion(issuedAt: now.addingTimeInterval(600))
        #expect(issuer.issue(assertionRequest(early)).failure?.code == 700_024)
    }

    @Test func aReplayedAssertionIdIsRejectedWhileTheAssertionIsValid() throws {
        var issuer = makeIssuer()
        let once = try assertion(jti: "jti-1")
        #expect(issuer.issue(assertionRequest(once)).token != nil)
        let replay = try #require(issuer.issue(assertionRequest(once), at: now.addingTimeInterval(60)).failure)
        #expect(replay.httpStatus == 401)
        #expect(replay.error == "invalid_client")
        #expect(replay.code == 50027)

        // A fresh jti is fine, and so is a replay when the scenario mimics Entra's leniency.
        #expect(issuer.issue(assertionRequest(try assertion(jti: "jti-2"))).token != nil)
        issuer.rejectsReplayedAssertions = false
        #expect(issuer.issue(assertionRequest(try assertion(jti: "jti-2"))).token != nil)
    }

    @Test(arguments: [
        "not-a-jwt",
        "a.b",
        "e30.e30.",
        "e30.e30.AAAA",  // `{}` header: no alg
        "!!!.e30.AAAA",
    ])
    func aMalformedAssertionIsRejectedWith50027(malformed: String) throws {
        var issuer = makeIssuer()
        let error = try #require(issuer.issue(assertionRequest(malformed)).failure)
        #expect(error.code == 50027)
        #expect(error.error == "invalid_request")
        #expect(error.httpStatus == 400)
    }

    @Test func anAssertionWithTheWrongTypeOrAlgorithmIsRejected() throws {
        var issuer = makeIssuer()
        func encode(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        let body = encode(#"{"iss":"x"}"#)
        let wrongType = encode(#"{"alg":"RS256","typ":"at+jwt"}"#) + "." + body + ".AAAA"
        #expect(issuer.issue(assertionRequest(wrongType)).failure?.code == 5_002_727)
        let hmac = encode(#"{"alg":"HS256","typ":"JWT"}"#) + "." + body + ".AAAA"
        #expect(issuer.issue(assertionRequest(hmac)).failure?.code == 5_002_738)

        var wrongAssertionType = assertionRequest(try assertion())
        wrongAssertionType.clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"
        #expect(issuer.issue(wrongAssertionType).failure?.httpStatus == 400)
    }

    // MARK: - Token lifetime and the store

    @Test func tokensExpireAtTheirLifetimeAndEarlyWhenAllAreExpired() throws {
        var issuer = makeIssuer()
        let token = try #require(issuer.issue(secretRequest(), lifetime: 3600).token)
        let graph = EntraResource.graph
        #expect(
            issuer.validate(bearer: token.accessToken, audience: graph, now: now.addingTimeInterval(3599))
                == .valid(token))
        #expect(
            issuer.validate(bearer: token.accessToken, audience: graph, now: now.addingTimeInterval(3600)) == .expired)
        // Expiry is checked before audience.
        #expect(
            issuer.validate(
                bearer: token.accessToken, audience: EntraResource.managementActivity, now: now.addingTimeInterval(3600)
            ) == .expired)

        let later = now.addingTimeInterval(60)
        issuer.expireAllTokens(now: later)
        #expect(issuer.validate(bearer: token.accessToken, audience: graph, now: later) == .expired)
        #expect(token.responseBody() == token.responseBody())  // the body already sent is unchanged

        // Tokens issued after the fault are unaffected by it.
        let fresh = try #require(issuer.issue(secretRequest(), at: later).token)
        #expect(issuer.validate(bearer: fresh.accessToken, audience: graph, now: later) == .valid(fresh))
    }

    @Test func theTokenStoreStaysBounded() throws {
        var issuer = makeIssuer(maximumStoredTokens: 5)
        var issued: [IssuedToken] = []
        for second in 0..<50 {
            issued.append(try #require(issuer.issue(secretRequest(), at: now.addingTimeInterval(Double(second))).token))
            #expect(issuer.storedTokenCount <= 5)
        }
        let at = now.addingTimeInterval(50)
        #expect(issuer.validate(bearer: issued[0].accessToken, audience: EntraResource.graph, now: at) == .unknown)
        #expect(issuer.validate(bearer: issued[44].accessToken, audience: EntraResource.graph, now: at) == .unknown)
        #expect(
            issuer.validate(bearer: issued[45].accessToken, audience: EntraResource.graph, now: at)
                == .valid(issued[45]))
        #expect(
            issuer.validate(bearer: issued[49].accessToken, audience: EntraResource.graph, now: at)
                == .valid(issued[49]))
    }

    @Test func pruningForgetsLongExpiredTokensButRemembersRecentlyExpiredOnes() throws {
        var issuer = makeIssuer()
        issuer.expiredTokenRetention = 600
        let old = try #require(issuer.issue(secretRequest(), lifetime: 60).token)
        let recent = try #require(issuer.issue(secretRequest(), at: now.addingTimeInterval(600), lifetime: 60).token)
        let live = try #require(issuer.issue(secretRequest(), at: now.addingTimeInterval(900), lifetime: 3600).token)

        let at = now.addingTimeInterval(1000)
        issuer.prune(now: at)
        #expect(issuer.storedTokenCount == 2)
        #expect(issuer.validate(bearer: old.accessToken, audience: EntraResource.graph, now: at) == .unknown)
        #expect(issuer.validate(bearer: recent.accessToken, audience: EntraResource.graph, now: at) == .expired)
        #expect(issuer.validate(bearer: live.accessToken, audience: EntraResource.graph, now: at) == .valid(live))
    }

    // MARK: - Form decoding

    @Test func formDecodingHandlesPlusPercentEscapesAndRepeats() {
        let body = Data(
            "scope=https%3A%2F%2Fgraph.microsoft.com%2f.default&name=a+b%20c&x=1&x=2&flag&=v&bad=%zz%4".utf8)
        let fields = FormURLEncoding.decode(body)
        #expect(fields["scope"] == "https://graph.microsoft.com/.default")
        #expect(fields["name"] == "a b c")
        #expect(fields["x"] == "2")
        #expect(fields["flag"] == "")
        #expect(fields[""] == "v")
        #expect(fields["bad"] == "%zz%4")
        #expect(FormURLEncoding.decode(Data("caf%C3%A9=%E2%9C%93".utf8)) == ["café": "✓"])
        #expect(FormURLEncoding.decode(Data("a=%2B%26%3D".utf8)) == ["a": "+&="])
    }

    @Test func formEncodingRoundTrips() {
        let pairs = [(name: "client_secret", value: "a+b/c=d&e f~é"), (name: "scope", value: graphScope)]
        let decoded = FormURLEncoding.decode(Data(FormURLEncoding.encode(pairs).utf8))
        #expect(decoded == ["client_secret": "a+b/c=d&e f~é", "scope": graphScope])
    }

    @Test func aSecretContainingPlusAndSlashSurvivesTheForm() throws {
        var issuer = makeIssuer()
        issuer.tenant.applications[0].secrets = [ClientSecret(value: "x+y/z=", expiresAt: .distantFuture)]
        let body =
            "grant_type=client_credentials&client_id=\(secretAppId)&client_secret=x%2By%2Fz%3D&scope=\(graphScope)"
        #expect(issuer.issue(TokenRequest(formBody: Data(body.utf8))).token != nil)
        // Sent unescaped, `+` arrives as a space and the secret no longer matches, as with Entra.
        let unescaped =
            "grant_type=client_credentials&client_id=\(secretAppId)&client_secret=x+y/z=&scope=\(graphScope)"
        #expect(issuer.issue(TokenRequest(formBody: Data(unescaped.utf8))).failure?.code == 7_000_215)
    }

    @Test func aRepeatedParameterIsRejectedWith9000411() throws {
        var issuer = makeIssuer()
        let body =
            "grant_type=client_credentials&client_id=\(secretAppId)&client_secret=good~secret&scope=\(graphScope)"
            + "&scope=\(managementScope)"
        let request = TokenRequest(formBody: Data(body.utf8))
        #expect(request.scope == managementScope)
        #expect(request.duplicatedParameters == ["scope"])
        let error = try #require(issuer.issue(request).failure)
        #expect(error.code == 9_000_411)
        #expect(error.message == "The request is not properly formatted. The parameter 'scope' is duplicated.")
    }
}
