import Foundation
import TenantSimulator
import Testing

@testable import M365

/// The pieces of `inboxwatch doctor` that need no network: reading a token's roles, the
/// permission tables, and how roles and a harmless call combine into a verdict.
struct DiagnosticsTests {
    private static func jwt(_ payload: String) -> String {
        func encode(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
                of: "/", with: "_"
            ).replacingOccurrences(of: "=", with: "")
        }
        return encode(#"{"typ":"JWT","alg":"RS256"}"#) + "." + encode(payload) + ".c2lnbmF0dXJl"
    }

    @Test func rolesAreReadFromTheJWTPayload() throws {
        let token = Self.jwt(
            #"{"aud":"https://graph.microsoft.com","appid":"app-1","tid":"t-1","exp":1750000000,"#
                + #""roles":["Mail.Read","User.Read.All"]}"#)
        let claims = try #require(AccessTokenClaims.decode(token))
        #expect(claims.roles == ["Mail.Read", "User.Read.All"])
        #expect(claims.audience == "https://graph.microsoft.com")
        #expect(claims.appId == "app-1")
        #expect(claims.tenantId == "t-1")
        #expect(claims.expiresAt == Date(timeIntervalSince1970: 1_750_000_000))
    }

    @Test func aTokenWithoutRolesHasNoneAndAnOpaqueTokenIsUnknown() throws {
        #expect(try #require(AccessTokenClaims.decode(Self.jwt(#"{"azp":"app-2"}"#))).roles.isEmpty)
        #expect(AccessTokenClaims.decode(Self.jwt(#"{"azp":"app-2"}"#))?.appId == "app-2")
        #expect(AccessTokenClaims.decode(Self.jwt(#"{"roles":"Mail.Send"}"#))?.roles == ["Mail.Send"])
        #expect(AccessTokenClaims.decode("EwBwA8l6BAAU-opaque-token") == nil)
        #expect(AccessTokenClaims.decode("a.b!c.d") == nil)
        #expect(AccessTokenClaims.decode("a.%%%.c") == nil)
        #expect(AccessTokenClaims.decode(Self.jwt("[1,2]")) == nil)
    }

    @Test func theSimulatorsTokensCarryTheGrantedRoles() async throws {
        let tenant = SimulatedTenant(
            configuration: SimulatorConfiguration(start: Date(), userCount: 10), clock: .wall,
            withheld: [.init(app: .collector, role: "AuditLog.Read.All")])
        let app = tenant.apps.collector
        let response = await tenant.handle(
            SimRequest(
                method: "POST", target: "/\(tenant.world.directory.tenantId)/oauth2/v2.0/token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data(
                    FormURLEncodingForTests.encode([
                        ("grant_type", "client_credentials"), ("client_id", app.clientId),
                        ("client_secret", app.clientSecret), ("scope", "https://graph.microsoft.com/.default"),
                    ]).utf8)))
        let body = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        let accessToken = try #require(body["access_token"] as? String)
        let claims = try #require(AccessTokenClaims.decode(accessToken))
        #expect(!claims.roles.contains("AuditLog.Read.All"))
        #expect(claims.roles.contains("IdentityRiskyUser.Read.All"))
        #expect(claims.appId == app.clientId)
    }

    @Test func eachComponentNeedsWhatItCalls() {
        #expect(
            Set(PermissionCatalog.required(for: .mail).map(\.name)) == [
                "User.Read.All", "Domain.Read.All", "AuditLog.Read.All", "IdentityRiskyUser.Read.All", "Mail.Read",
                "MailboxSettings.Read", "SecurityAlert.Read.All", "ThreatSubmission.Read.All",
            ])
        #expect(
            Set(PermissionCatalog.required(for: .act).map(\.name)) == [
                "User.Read.All", "GroupMember.Read.All", "Mail.ReadWrite", "MailboxSettings.ReadWrite",
                "User.EnableDisableAccount.All", "User.RevokeSessions.All", "User-PasswordProfile.ReadWrite.All",
                "IdentityRiskyUser.ReadWrite.All", "Mail.Send",
            ])
        #expect(PermissionCatalog.required(for: .audit).map(\.name) == ["ActivityFeed.Read"])
        #expect(PermissionCatalog.required(for: .audit).allSatisfy { $0.api == .management })
        #expect(
            PermissionCatalog.required(for: .audit, contentTypes: [.exchange, .dlpAll]).map(\.name) == [
                "ActivityFeed.Read", "ActivityFeed.ReadDlp",
            ])
        #expect(PermissionCatalog.required(for: .correlator).isEmpty)
        // Every read-only permission of the collectors has a harmless call that proves it.
        for permission in PermissionCatalog.required(for: .mail) {
            guard case .graph(_, _, _, let proves)? = permission.probe else {
                Issue.record("\(permission.name) has no Graph probe")
                continue
            }
            #expect(proves, "\(permission.name)")
        }
        // Write permissions are never "proved" by a read.
        for permission in PermissionCatalog.required(for: .act) where permission.name.contains("Write") {
            if case .graph(_, _, _, true)? = permission.probe { Issue.record("\(permission.name) proved by a GET") }
        }
    }

    @Test func broaderPermissionsSatisfyNarrowerOnes() throws {
        let mailRead = try #require(PermissionCatalog.required(for: .mail).first { $0.name == "Mail.Read" })
        #expect(mailRead.isGranted(by: ["Mail.ReadWrite"]))
        #expect(!mailRead.isGranted(by: ["Mail.Send"]))
        let disable = try #require(
            PermissionCatalog.required(for: .act).first { $0.name == "User.EnableDisableAccount.All" })
        #expect(disable.isGranted(by: ["User.ReadWrite.All"]))
    }

    @Test func theSimulatorsAppsHoldExactlyWhatTheTablesAsk() {
        let tenant = SimulatedTenant(configuration: SimulatorConfiguration(start: Date(), userCount: 10), clock: .wall)
        for permission in PermissionCatalog.required(for: .mail) {
            #expect(permission.isGranted(by: tenant.apps.collector.graphRoles), "\(permission.name)")
        }
        for permission in PermissionCatalog.required(for: .audit) {
            #expect(permission.isGranted(by: tenant.apps.collector.managementRoles), "\(permission.name)")
        }
        for permission in PermissionCatalog.required(for: .act) {
            #expect(permission.isGranted(by: tenant.apps.actions.graphRoles), "\(permission.name)")
        }
    }

    @Test func aCallAndTheRolesCombineIntoOneVerdict() throws {
        let risky = try #require(
            PermissionCatalog.required(for: .mail).first { $0.name == "IdentityRiskyUser.Read.All" })
        let send = try #require(PermissionCatalog.required(for: .act).first { $0.name == "Mail.Send" })
        let readWrite = try #require(PermissionCatalog.required(for: .act).first { $0.name == "Mail.ReadWrite" })
        typealias E = PermissionEvidence
        #expect(E.judge(risky, roles: [], probe: .forbidden("denied")).result == .fail)
        #expect(E.judge(risky, roles: ["IdentityRiskyUser.Read.All"], probe: .forbidden("denied")).result == .fail)
        #expect(E.judge(risky, roles: ["IdentityRiskyUser.Read.All"], probe: .succeeded).result == .pass)
        // Granted some other way (RBAC for Applications): the call is the proof.
        #expect(E.judge(risky, roles: [], probe: .succeeded).result == .pass)
        #expect(E.judge(risky, roles: nil, probe: .succeeded).result == .pass)
        #expect(E.judge(risky, roles: nil, probe: .inconclusive("503")).result == .warn)
        #expect(E.judge(send, roles: ["Mail.Send"], probe: .notRun(nil)).result == .pass)
        #expect(E.judge(send, roles: [], probe: .notRun(nil)).result == .fail)
        #expect(E.judge(send, roles: nil, probe: .notRun(nil)).result == .warn)
        // A GET needs only the read half of Mail.ReadWrite: success does not prove the write.
        #expect(E.judge(readWrite, roles: ["Mail.Read"], probe: .succeeded).result == .fail)
        #expect(E.judge(readWrite, roles: nil, probe: .succeeded).result == .warn)
        #expect(E.judge(readWrite, roles: ["Mail.ReadWrite"], probe: .succeeded).result == .pass)
    }

    @Test func tokenFailuresAreExplainedByTheirAADSTSCode() {
        func advice(_ aadsts: Int, _ oauth: String) -> (meaning: String, fix: String) {
            TokenFailureAdvice.explain(
                TokenError(
                    code: .invalidClient, message: "AADSTS\(aadsts): …", aadsts: aadsts, oauthError: oauth,
                    httpStatus: 401, isRetriable: false),
                appName: "collector app", clientId: "c-1", tenantId: "t-1")
        }
        #expect(advice(7_000_215, "invalid_client").meaning.contains("wrong"))
        #expect(advice(7_000_215, "invalid_client").fix.contains("Value, not its Secret ID"))
        #expect(advice(7_000_222, "invalid_client").meaning.contains("expired"))
        #expect(
            advice(7_000_222, "invalid_client").fix.contains("New client secret")
                || advice(7_000_222, "invalid_client").fix.contains("new client secret"))
        #expect(advice(700_016, "unauthorized_client").meaning.contains("no app with client id c-1"))
        #expect(advice(90002, "invalid_request").meaning.contains("does not exist"))
        #expect(advice(700_027, "invalid_client").fix.contains("--certificate-thumbprint"))
    }

    @Test func agesReadAsPeopleSayThem() {
        #expect(DiagnosticTime.age(42) == "42 s")
        #expect(DiagnosticTime.age(12 * 60 + 5) == "12 min")
        #expect(DiagnosticTime.age(3 * 3600 + 5 * 60) == "3 h 5 min")
        #expect(DiagnosticTime.age(2 * 86_400 + 4 * 3600) == "2 d 4 h")
    }
}

/// Form bodies for the token request built in the test (HTTP's encoder, by another name).
enum FormURLEncodingForTests {
    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map {
            ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }
}
