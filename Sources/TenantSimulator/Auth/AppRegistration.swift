import Crypto
public import Foundation
public import _CryptoExtras

/// The resources (application ID URIs) the simulated tenant can issue app-only tokens for.
public enum EntraResource {
    /// Microsoft Graph.
    public static let graph = "https://graph.microsoft.com"
    /// The Office 365 Management Activity API.
    public static let managementActivity = "https://manage.office.com"
    /// Both of the above: the resource principals every simulated tenant has.
    public static let defaults: Set<String> = [graph, managementActivity]

    /// Lower-cases the scheme and host and drops trailing slashes, so `https://Graph.Microsoft.com/`
    /// and `https://graph.microsoft.com` name the same resource, as they do for Entra ID. The path of
    /// an application ID URI is left alone because Entra compares it case-sensitively.
    static func normalized(_ resource: some StringProtocol) -> String {
        var text = String(resource)
        while text.hasSuffix("/") { text.removeLast() }
        guard let schemeEnd = text.range(of: "://") else { return text.lowercased() }
        let hostEnd = text[schemeEnd.upperBound...].firstIndex(of: "/") ?? text.endIndex
        return text[..<hostEnd].lowercased() + text[hostEnd...]
    }
}

/// A client secret of an app registration. The expiry is kept so a test can model the real failure
/// where a secret silently lapses and Entra answers AADSTS7000222 instead of a token.
public struct ClientSecret: Sendable, Hashable {
    /// The secret value the client sends as `client_secret` (not the secret's ID).
    public var value: String
    /// The first instant at which the secret no longer works.
    public var expiresAt: Date

    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    func isExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// A certificate credential of an app registration: only its RSA public key and thumbprint matter
/// for verifying a client assertion, so that is all that is kept.
public struct RegisteredCertificate: Sendable, Hashable {
    /// The key client assertions must be signed with.
    public let publicKey: _RSA.Signing.PublicKey
    /// The thumbprint the client puts in the assertion header (`x5t` or `kid`). In Entra ID this is
    /// the base64url SHA-1 of the certificate's DER; here any registered string is matched exactly.
    /// Nil matches any thumbprint, for tests that have a key but no certificate.
    public var thumbprint: String?

    public init(publicKey: _RSA.Signing.PublicKey, thumbprint: String?) {
        self.publicKey = publicKey
        self.thumbprint = thumbprint
    }

    /// Reads an RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`); throws for
    /// anything else, including keys shorter than 2048 bits, which `_CryptoExtras` refuses.
    public init(publicKeyPEM: String, thumbprint: String?) throws {
        self.init(publicKey: try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM), thumbprint: thumbprint)
    }

    /// The key in SubjectPublicKeyInfo PEM.
    public var publicKeyPEM: String { publicKey.pemRepresentation }

    /// The thumbprint Entra ID derives from a certificate: base64url of the SHA-1 of its DER. Given
    /// here so client code holding a real certificate computes the same string the portal shows.
    public static func thumbprint(certificateDER: some DataProtocol) -> String {
        EntraBase64URL.encode(Insecure.SHA1.hash(data: certificateDER))
    }

    func matches(anyOf headerThumbprints: [String]) -> Bool {
        guard let thumbprint else { return true }
        return headerThumbprints.contains(thumbprint)
    }

    // `_RSA.Signing.PublicKey` is not Hashable; its DER is the canonical identity of the key.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.thumbprint == rhs.thumbprint && lhs.publicKey.derRepresentation == rhs.publicKey.derRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(thumbprint)
        hasher.combine(publicKey.derRepresentation)
    }
}

/// A client application registered in the simulated tenant, with its credentials and the
/// application permissions (app roles) an administrator has granted it on each resource.
public struct AppRegistration: Sendable, Hashable {
    /// The application (client) ID, a GUID; matched case-insensitively, as Entra ID does.
    public var clientId: String
    /// The name shown in the portal; not used in token endpoint errors, which quote the client ID.
    public var displayName: String
    public var secrets: [ClientSecret]
    public var certificates: [RegisteredCertificate]
    /// Granted app roles keyed by resource, e.g. `["https://graph.microsoft.com": ["Mail.Read"]]`.
    /// Keys are compared after `EntraResource` normalization, so a trailing slash does not matter.
    public var grantedRoles: [String: Set<String>]

    public init(
        clientId: String,
        displayName: String,
        secrets: [ClientSecret] = [],
        certificates: [RegisteredCertificate] = [],
        grantedRoles: [String: Set<String>] = [:]
    ) {
        self.clientId = clientId
        self.displayName = displayName
        self.secrets = secrets
        self.certificates = certificates
        self.grantedRoles = grantedRoles
    }

    /// The roles granted on `resource`; empty when none are. Entra still issues a token then, just
    /// without a `roles` claim, and the resource answers 403, which the simulator must reproduce.
    public func roles(for resource: String) -> Set<String> {
        let wanted = EntraResource.normalized(resource)
        var roles: Set<String> = []
        for (key, granted) in grantedRoles where EntraResource.normalized(key) == wanted {
            roles.formUnion(granted)
        }
        return roles
    }
}

/// The directory the token endpoint serves: the tenant's identity, the resources it has service
/// principals for, and the client applications registered in it.
public struct EntraTenant: Sendable, Hashable {
    /// The directory (tenant) ID, a GUID.
    public var tenantId: String
    /// The organization name; Entra quotes it in AADSTS700016 and AADSTS500011.
    public var displayName: String
    /// Verified domains, e.g. `contoso.onmicrosoft.com`, accepted in place of the tenant ID.
    public var domains: [String]
    /// Resources a token can be requested for; anything else is AADSTS500011.
    public var resources: Set<String>
    public var applications: [AppRegistration]

    public init(
        tenantId: String,
        displayName: String,
        domains: [String],
        resources: Set<String> = EntraResource.defaults,
        applications: [AppRegistration] = []
    ) {
        self.tenantId = tenantId
        self.displayName = displayName
        self.domains = domains
        self.resources = resources
        self.applications = applications
    }

    /// Whether the `{tenant}` path segment names this tenant. GUIDs and DNS names are both
    /// case-insensitive, so the comparison is too.
    func isNamed(_ pathSegment: String) -> Bool {
        let wanted = pathSegment.lowercased()
        return tenantId.lowercased() == wanted || domains.contains { $0.lowercased() == wanted }
    }

    func application(clientId: String) -> AppRegistration? {
        let wanted = clientId.lowercased()
        return applications.first { $0.clientId.lowercased() == wanted }
    }

    /// The configured spelling of the resource `name` refers to, or nil when there is none.
    func resource(named name: String) -> String? {
        let wanted = EntraResource.normalized(name)
        return resources.first { EntraResource.normalized($0) == wanted }
    }
}
