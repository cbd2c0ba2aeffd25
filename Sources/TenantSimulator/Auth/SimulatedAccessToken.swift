import Foundation

/// The string form of an access token the simulated tenant issues: a JWT shaped like Entra ID's
/// app-only tokens (`aud`, `iss`, `iat`, `nbf`, `exp`, `appid`, `tid`, `roles`, `idtyp`), so a
/// client that reads the `roles` claim to explain a 403 (as `inboxwatch doctor` does) sees here
/// what it would see from Microsoft.
///
/// The signature is random bytes, not a signature: the simulator recognises its tokens by the
/// whole string (``TokenIssuer/validate(bearer:audience:now:)``), never by verifying them, and a
/// random `uti` makes every token unique even when all claims are equal.
enum SimulatedAccessToken {
    static func make(
        clientId: String, appDisplayName: String, tenantId: String, audience: String, roles: Set<String>,
        issuedAt: Date, expiresAt: Date
    ) -> String {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
        let header = OrderedJSON.object([
            "typ": .string("JWT"), "alg": .string("RS256"), "x5t": .string("simulated"),
            "kid": .string("simulated"),
        ])
        let issued = Int(issuedAt.timeIntervalSince1970.rounded(.down))
        let expires = Int(expiresAt.timeIntervalSince1970.rounded(.down))
        // Entra leaves `roles` out entirely when no app role is granted on the resource.
        let payload = OrderedJSON.object([
            "aud": .string(audience),
            "iss": .string("https://sts.windows.net/\(tenantId)/"),
            "iat": .int(issued), "nbf": .int(issued), "exp": .int(expires),
            "app_displayname": .string(appDisplayName),
            "appid": .string(clientId),
            "idtyp": .string("app"),
            "roles": roles.isEmpty ? nil : .strings(roles.sorted()),
            "tid": .string(tenantId),
            "uti": .string(EntraBase64URL.encode(random(16))),
            "ver": .string("1.0"),
        ])
        return [
            EntraBase64URL.encode(header.serialized()), EntraBase64URL.encode(payload.serialized()),
            EntraBase64URL.encode(random(48)),
        ].joined(separator: ".")
    }
}
