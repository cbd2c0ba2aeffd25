public import Foundation

/// An app-only access token the simulated tenant issued. Resources in the simulator look the
/// token up by its whole string with `TokenIssuer.validate`; the string is a JWT shaped like
/// Entra ID's (``SimulatedAccessToken``) so that diagnostics reading its `roles` claim work here
/// as against Microsoft, but it is not signed.
public struct IssuedToken: Sendable, Hashable {
    /// A JWT-shaped string (``SimulatedAccessToken``) with a random signature segment.
    public var accessToken: String
    /// The client ID as the app is registered (not as the request spelled it).
    public var clientId: String
    public var tenantId: String
    /// The resource the token is for, e.g. `https://graph.microsoft.com`.
    public var audience: String
    /// `<audience>/.default`.
    public var scope: String
    /// The app roles granted on `audience`, e.g. `Mail.Read`; empty when none are granted.
    public var roles: Set<String>
    public var issuedAt: Date
    /// When the token stops validating; moved earlier by `TokenIssuer.expireAllTokens(now:)`.
    public var expiresAt: Date
    /// The `expires_in` sent to the client, fixed at issue so an early expiry fault does not change it.
    public var expiresIn: Int

    public init(
        accessToken: String,
        clientId: String,
        tenantId: String,
        audience: String,
        scope: String,
        roles: Set<String>,
        issuedAt: Date,
        expiresAt: Date,
        expiresIn: Int
    ) {
        self.accessToken = accessToken
        self.clientId = clientId
        self.tenantId = tenantId
        self.audience = audience
        self.scope = scope
        self.roles = roles
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.expiresIn = expiresIn
    }

    /// The success body of the v2.0 token endpoint for the client credentials grant, in Entra's key
    /// order. `ext_expires_in` equals `expires_in` because the simulator has no outage extension.
    public func responseBody() -> Data {
        OrderedJSON.object([
            "token_type": .string("Bearer"),
            "expires_in": .int(expiresIn),
            "ext_expires_in": .int(expiresIn),
            "access_token": .string(accessToken),
        ]).serialized()
    }
}

/// The token endpoint's answer to one request.
public enum TokenDecision: Sendable, Hashable {
    case issued(IssuedToken)
    case rejected(EntraError)
}

/// What a resource learns about a bearer token presented to it.
public enum TokenValidation: Sendable, Hashable {
    case valid(IssuedToken)
    /// Issued here, but past its expiry (or expired early by a fault).
    case expired
    /// Never issued here, or pruned long after it expired.
    case unknown
    /// Live, but for another resource (a Graph token sent to the Management API).
    case wrongAudience
}

/// The Entra ID token endpoint of the simulated tenant for the client credentials grant, as a value
/// type: the HTTP adapter owns one (behind whatever isolation it uses), feeds it requests and the
/// current time, and turns its decisions into responses. Nothing here reads the clock or does I/O,
/// so every rule, including expiry and replay, is testable with fixed dates.
public struct TokenIssuer: Sendable {
    /// The directory served; mutable so a scenario can rotate secrets or revoke roles mid-run.
    public var tenant: EntraTenant
    /// Whether a client assertion `jti` may be used only once while the assertion is valid. On by
    /// default because the brief asks for it; real Entra is not known to enforce this (Azure CLI
    /// reuses one federated assertion for several token requests), so a scenario may turn it off.
    public var rejectsReplayedAssertions: Bool
    /// How long an expired token is remembered, so a late caller gets `.expired` (and refreshes)
    /// rather than `.unknown`; `prune(now:)` forgets it after that.
    public var expiredTokenRetention: TimeInterval
    /// The most tokens (and, separately, used `jti` values) kept; beyond it the oldest are dropped,
    /// so a client looping on the token endpoint cannot grow the simulator without bound.
    public var maximumStoredTokens: Int {
        get { tokens.capacity }
        set {
            tokens.capacity = newValue
            usedAssertions.capacity = newValue
        }
    }

    private var tokens: EntraBoundedStore<IssuedToken>
    private var usedAssertions: EntraBoundedStore<Void>

    public init(
        tenant: EntraTenant,
        maximumStoredTokens: Int = 10_000,
        expiredTokenRetention: TimeInterval = 3600,
        rejectsReplayedAssertions: Bool = true
    ) {
        self.tenant = tenant
        self.rejectsReplayedAssertions = rejectsReplayedAssertions
        self.expiredTokenRetention = expiredTokenRetention
        self.tokens = EntraBoundedStore(capacity: maximumStoredTokens)
        self.usedAssertions = EntraBoundedStore(capacity: maximumStoredTokens)
    }

    /// How many issued tokens are remembered, expired ones included.
    public var storedTokenCount: Int { tokens.count }

    /// `{loginBase}/{tenant}/oauth2/v2.0/token`, the URL a client assertion's `aud` must name.
    public static func tokenEndpoint(loginBase: String, tenant: String) -> String {
        var base = loginBase
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/\(tenant)/oauth2/v2.0/token"
    }

    /// Decides one token request.
    /// - Parameters:
    ///   - tenantInPath: the `{tenant}` segment of the request path.
    ///   - assertionAudience: the token endpoint URL as the simulator is reached, usually
    ///     `tokenEndpoint(loginBase:tenant:)`. Assertions addressed to the real endpoint
    ///     (`https://login.microsoftonline.com/{tenant ID or domain}/oauth2/v2.0/token`) are
    ///     accepted too, so client code configured for production works unchanged.
    ///   - tokenLifetime: seconds until the token expires; `expires_in` is this, rounded down.
    public mutating func issue(
        _ request: TokenRequest,
        tenantInPath: String,
        assertionAudience: String,
        now: Date,
        tokenLifetime: TimeInterval
    ) -> TokenDecision {
        switch decide(request, tenantInPath: tenantInPath, assertionAudience: assertionAudience, now: now) {
        case .failure(let rejection):
            return .rejected(rejection.rendered(correlationId: request.clientRequestId, at: now))
        case .success(let grant):
            let lifetime = tokenLifetime.isFinite ? min(max(tokenLifetime, 0), 100 * 365 * 86_400) : 0
            let roles = grant.app.roles(for: grant.resource)
            let token = IssuedToken(
                accessToken: SimulatedAccessToken.make(
                    clientId: grant.app.clientId, appDisplayName: grant.app.displayName, tenantId: tenant.tenantId,
                    audience: grant.resource, roles: roles, issuedAt: now, expiresAt: now.addingTimeInterval(lifetime)),
                clientId: grant.app.clientId,
                tenantId: tenant.tenantId,
                audience: grant.resource,
                scope: grant.resource + "/.default",
                roles: roles,
                issuedAt: now,
                expiresAt: now.addingTimeInterval(lifetime),
                expiresIn: Int(lifetime.rounded(.down))
            )
            // Beyond the cap the oldest token goes; with one lifetime for all tokens that is also
            // the one expiring first, so no sweep is needed on this path.
            tokens.insert(token, forKey: token.accessToken, expiresAt: token.expiresAt)
            return .issued(token)
        }
    }

    /// Looks up a bearer token for a resource. `bearer` may be the raw token or a whole
    /// `Authorization` value (`Bearer …`). Expiry is checked before audience, the order Microsoft's
    /// validators use, so an expired token for the wrong resource reads as expired.
    public func validate(bearer: String, audience: String, now: Date) -> TokenValidation {
        var raw = Substring(bearer).drop { $0 == " " }
        if raw.lowercased().hasPrefix("bearer ") { raw = raw.dropFirst("bearer ".count).drop { $0 == " " } }
        guard let token = tokens[String(raw)]?.value else { return .unknown }
        guard now < token.expiresAt else { return .expired }
        guard EntraResource.normalized(token.audience) == EntraResource.normalized(audience) else {
            return .wrongAudience
        }
        return .valid(token)
    }

    /// A fault: every token issued so far expires now, as when Entra revokes sessions or a
    /// resource's clock jumps. Clients must notice the 401 and fetch a new token.
    public mutating func expireAllTokens(now: Date) {
        tokens.updateAll { entry in
            if entry.value.expiresAt > now {
                entry.value.expiresAt = now
                entry.expiresAt = now
            }
        }
    }

    /// Forgets tokens expired for longer than `expiredTokenRetention` and `jti` values whose
    /// assertions can no longer be accepted anyway. The adapter calls it now and then; the caps
    /// bound memory even if it never does.
    public mutating func prune(now: Date) {
        tokens.removeAll(expiredBefore: now.addingTimeInterval(-max(expiredTokenRetention, 0)))
        usedAssertions.removeAll(expiredBefore: now)
    }

    // MARK: - Rules

    private struct Grant {
        var app: AppRegistration
        var resource: String
    }

    /// The checks in the order Entra ID appears to make them: where the request is sent, its
    /// shape, who the client is, what it asks for, and only then whether it proved its identity.
    private mutating func decide(
        _ request: TokenRequest,
        tenantInPath: String,
        assertionAudience: String,
        now: Date
    ) -> Result<Grant, EntraRejection> {
        guard tenant.isNamed(tenantInPath) else { return .failure(.tenantNotFound(tenantInPath)) }
        if let duplicated = request.duplicatedParameters.first {
            return .failure(.duplicatedParameter(duplicated))
        }
        guard let grantType = request.grantType else { return .failure(.missingParameter("grant_type")) }
        guard grantType == "client_credentials" else { return .failure(.unsupportedGrantType(grantType)) }
        guard let clientId = request.clientId else { return .failure(.missingParameter("client_id")) }
        guard let app = tenant.application(clientId: clientId) else {
            return .failure(.applicationNotFound(clientId, directory: tenant.displayName))
        }
        let resource: String
        switch resolveScope(request.scope) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let resolved): resource = resolved
        }

        switch (request.clientSecret, request.clientAssertion) {
        case (nil, nil):
            return .failure(.missingCredential)
        case (.some, .some):
            return .failure(.conflictingCredentials)
        case (.some(let secret), nil):
            if let rejection = checkSecret(secret, of: app, now: now) { return .failure(rejection) }
        case (nil, .some(let assertion)):
            guard let assertionType = request.clientAssertionType else {
                return .failure(.missingParameter("client_assertion_type"))
            }
            guard assertionType == ClientAssertion.assertionType else {
                return .failure(.unsupportedAssertionType(assertionType))
            }
            if let rejection = checkAssertion(assertion, of: app, audience: assertionAudience, now: now) {
                return .failure(rejection)
            }
        }
        return .success(Grant(app: app, resource: resource))
    }

    /// The client credentials grant takes exactly one scope, `<resource>/.default`, where the
    /// resource may carry a trailing slash (`https://graph.microsoft.com//.default` is accepted by
    /// Entra) and any case in scheme and host.
    private func resolveScope(_ scope: String?) -> Result<String, EntraRejection> {
        guard let scope else { return .failure(.missingParameter("scope")) }
        let scopes = scope.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard !scopes.isEmpty else { return .failure(.missingParameter("scope")) }
        guard scopes.count == 1, let only = scopes.first else { return .failure(.invalidScope(scope)) }
        let suffix = "/.default"
        guard only.count > suffix.count, only.lowercased().hasSuffix(suffix) else {
            return .failure(.scopeWithoutDefault(String(only)))
        }
        let named = String(only.dropLast(suffix.count))
        guard !EntraResource.normalized(named).isEmpty else { return .failure(.invalidScope(scope)) }
        guard let resource = tenant.resource(named: named) else {
            return .failure(.resourceNotFound(named, directory: tenant.displayName))
        }
        return .success(resource)
    }

    private func checkSecret(_ presented: String, of app: AppRegistration, now: Date) -> EntraRejection? {
        // Constant-time comparison against every secret, so response timing does not say how much
        // of a guess was right; the simulator may be reachable by other local processes.
        let matching = app.secrets.filter { Self.constantTimeEqual($0.value, presented) }
        if matching.contains(where: { !$0.isExpired(at: now) }) { return nil }
        return matching.isEmpty ? .invalidSecret(app.clientId) : .expiredSecret(app.clientId)
    }

    private mutating func checkAssertion(
        _ assertion: String,
        of app: AppRegistration,
        audience: String,
        now: Date
    ) -> EntraRejection? {
        var audiences: Set<String> = [ClientAssertion.normalizedAudience(audience)]
        for name in [tenant.tenantId] + tenant.domains {
            let real = Self.tokenEndpoint(loginBase: "https://login.microsoftonline.com", tenant: name)
            audiences.insert(ClientAssertion.normalizedAudience(real))
        }
        switch ClientAssertion.verify(assertion, app: app, acceptedAudiences: audiences, now: now) {
        case .failure(let rejection):
            return rejection
        case .success(let verified):
            guard rejectsReplayedAssertions else { return nil }
            // Keyed by client as well as jti: two apps choosing the same jti is no replay.
            let key = app.clientId.lowercased() + "\n" + verified.jti
            if let seen = usedAssertions[key], seen.expiresAt > now {
                return .replayedAssertion(verified.jti)
            }
            // Remember it for as long as the assertion itself could be accepted, skew included;
            // a shorter memory would let a replay through in the skew window after `exp`.
            usedAssertions.insert(
                (),
                forKey: key,
                expiresAt: verified.expiresAt.addingTimeInterval(ClientAssertion.clockSkew)
            )
            return nil
        }
    }

    private static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }

}

/// A dictionary that remembers insertion order so that, when full, the oldest entries can be
/// dropped in O(1) each, and that knows each entry's expiry so expired ones can be swept.
struct EntraBoundedStore<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var value: Value
        var expiresAt: Date
        fileprivate var sequence: UInt64
    }

    var capacity: Int
    private var entries: [String: Entry] = [:]
    // Keys in insertion order from `head` on. Entries removed by a sweep stay here until they reach
    // the head or the next sweep compacts the queue; the sequence number tells a stale slot from a
    // key that was inserted again later.
    private var order: [(key: String, sequence: UInt64)] = []
    private var head = 0
    private var nextSequence: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    subscript(key: String) -> Entry? { entries[key] }

    mutating func insert(_ value: Value, forKey key: String, expiresAt: Date) {
        entries[key] = Entry(value: value, expiresAt: expiresAt, sequence: nextSequence)
        order.append((key, nextSequence))
        nextSequence += 1
        while entries.count > max(capacity, 1), head < order.count {
            let oldest = order[head]
            head += 1
            if entries[oldest.key]?.sequence == oldest.sequence { entries[oldest.key] = nil }
        }
        if head > 1024, head * 2 > order.count { compact() }
    }

    mutating func updateAll(_ body: (inout Entry) -> Void) {
        var index = entries.values.startIndex
        while index != entries.values.endIndex {
            body(&entries.values[index])
            entries.values.formIndex(after: &index)
        }
    }

    mutating func removeAll(expiredBefore cutoff: Date) {
        entries = entries.filter { $0.value.expiresAt >= cutoff }
        compact()
    }

    private mutating func compact() {
        order = order[head...].filter { entries[$0.key]?.sequence == $0.sequence }
        head = 0
    }
}
