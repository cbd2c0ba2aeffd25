public import Foundation

/// What an app-only access token says about itself, read from its JWT payload: which app, which
/// tenant, which resource, and the application permissions (`roles`) granted on it.
///
/// Microsoft documents access tokens as opaque to clients and may change their format, so this
/// is for explaining, never for deciding access: ``decode(_:)`` answers nil for anything that is
/// not a JWT with a JSON payload, and callers then fall back to asking the API (a harmless call).
/// The signature is not checked; nothing here trusts the token more than the API that issued it.
public struct AccessTokenClaims: Sendable, Hashable {
    /// The `roles` claim. Entra leaves the claim out when no application permission is granted
    /// on the resource, which reads here as an empty set, not as "unknown".
    public var roles: Set<String>
    /// `aud`: the resource, e.g. `https://graph.microsoft.com` (or its app id).
    public var audience: String?
    /// `appid` (v1 tokens) or `azp` (v2 tokens): the client id of the app.
    public var appId: String?
    /// `app_displayname`, when Entra included it.
    public var appDisplayName: String?
    /// `tid`: the tenant that issued the token.
    public var tenantId: String?
    /// `exp`.
    public var expiresAt: Date?

    public init(
        roles: Set<String>, audience: String? = nil, appId: String? = nil, appDisplayName: String? = nil,
        tenantId: String? = nil, expiresAt: Date? = nil
    ) {
        self.roles = roles
        self.audience = audience
        self.appId = appId
        self.appDisplayName = appDisplayName
        self.tenantId = tenantId
        self.expiresAt = expiresAt
    }

    /// Reads the payload (the second of three base64url segments) of `token`; nil when `token`
    /// is not a JWT whose payload is a JSON object. Never logs or keeps the token.
    public static func decode(_ token: String) -> AccessTokenClaims? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = base64URLDecode(segments[1]),
            let object = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
        else { return nil }
        // A single role can arrive as a string in some token versions; accept both shapes.
        let roles: Set<String> =
            if let list = object["roles"] as? [Any] {
                Set(list.compactMap { $0 as? String })
            } else if let one = object["roles"] as? String {
                [one]
            } else {
                []
            }
        return AccessTokenClaims(
            roles: roles, audience: object["aud"] as? String,
            appId: (object["appid"] as? String) ?? (object["azp"] as? String),
            appDisplayName: object["app_displayname"] as? String, tenantId: object["tid"] as? String,
            expiresAt: (object["exp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) })
    }

    /// Base64url with or without padding; nil for characters outside the alphabet.
    static func base64URLDecode(_ text: some StringProtocol) -> Data? {
        var standard = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !standard.contains("=") || standard.hasSuffix("=") else { return nil }
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}
