public import Foundation
public import HTTP
public import Logging

/// An app-only access token for one (tenant, scope). The token itself is a bearer secret:
/// the description never shows it.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bearer value. Send it only in an `Authorization` header; never log it.
    public let value: String
    public let tenantId: String
    public let scope: String
    /// When Entra said it stops working (`expires_in` counted from before the request was sent,
    /// so it errs early rather than late).
    public let expiresAt: Date

    public init(value: String, tenantId: String, scope: String, expiresAt: Date) {
        self.value = value
        self.tenantId = tenantId
        self.scope = scope
        self.expiresAt = expiresAt
    }

    public var description: String {
        "AccessToken(tenant: \(tenantId), scope: \(scope), expiresAt: \(expiresAt), value: <redacted>)"
    }

    public var debugDescription: String { description }
}

/// Gets app-only tokens from Entra ID with the OAuth 2.0 client credentials grant, with a
/// client secret or a certificate (a signed client assertion), and keeps them:
///
/// - one token per (tenant, scope), cached until it is within `refreshMargin` of expiry, so
///   API calls almost never wait for Entra and a token never expires in flight;
/// - at most one request to Entra per (tenant, scope) at a time: concurrent callers await the
///   same refresh instead of stampeding the token endpoint;
/// - ``invalidate(_:)`` drops a token an API refused with 401, so the next call gets a new one;
/// - failures carry Entra's AADSTS code and text (``TokenError``).
///
/// Nothing here logs a secret, an assertion or a token.
public actor TokenProvider {
    /// The app this provider signs in as.
    public nonisolated let clientId: String
    private let credential: AppCredential
    private let endpoints: M365Endpoints
    private let http: HTTPClient
    private let clock: M365Clock
    private let refreshMargin: TimeInterval
    private let logger: Logger

    private struct Key: Hashable {
        var tenant: String
        var scope: String
    }

    private var cache: [Key: AccessToken] = [:]
    private var inFlight: [Key: Task<Result<AccessToken, TokenError>, Never>] = [:]
    /// How many requests were sent to the token endpoint; for tests and metrics.
    public private(set) var tokenRequestCount = 0

    /// - Parameters:
    ///   - refreshMargin: a cached token is replaced once it has less than this left. Five
    ///     minutes covers a slow request plus clock skew between us and the resource.
    ///   - clock: the time used for expiry and for client assertions.
    public init(
        identity: AppIdentity, endpoints: M365Endpoints = .commercial, http: HTTPClient,
        refreshMargin: Duration = .seconds(300), clock: M365Clock = .system, logger: Logger
    ) {
        self.clientId = identity.clientId
        self.credential = identity.credential
        self.endpoints = endpoints
        self.http = http
        self.clock = clock
        self.refreshMargin = Self.seconds(refreshMargin)
        self.logger = logger
    }

    /// A token for `scope` (e.g. `https://graph.microsoft.com/.default`) in `tenantId`: the
    /// cached one while it has more than the refresh margin left, else a new one.
    public func token(tenantId: String, scope: String) async throws(TokenError) -> AccessToken {
        let key = Key(tenant: tenantId.lowercased(), scope: scope)
        if let cached = cache[key], clock.now() < cached.expiresAt.addingTimeInterval(-refreshMargin) {
            return cached
        }
        let task: Task<Result<AccessToken, TokenError>, Never>
        if let running = inFlight[key] {
            task = running
        } else {
            tokenRequestCount += 1
            let request = TokenRequestPlan(
                tenantId: tenantId, scope: scope, clientId: clientId, credential: credential,
                endpoint: endpoints.tokenEndpoint(tenantId: tenantId), clock: clock)
            let http = self.http
            let logger = self.logger
            // Unstructured on purpose: if the caller that started the refresh is cancelled, the
            // others waiting for the same token still get it.
            task = Task {
                let result = await request.run(http: http, logger: logger)
                self.finish(key, result)
                return result
            }
            inFlight[key] = task
        }
        switch await task.value {
        case .success(let token):
            return token
        case .failure(let error):
            // A hiccup at Entra should not fail calls while the token we have still works: the
            // margin exists for exactly this. Refused credentials are never papered over.
            if error.isRetriable, let cached = cache[key], clock.now() < cached.expiresAt.addingTimeInterval(-30) {
                logger.warning(
                    "token refresh failed; using the cached token until it nears expiry",
                    metadata: ["tenant": "\(tenantId)", "scope": "\(scope)", "error": "\(error)"])
                return cached
            }
            throw error
        }
    }

    /// Forgets `token` because an API refused it (401). Only that very token is dropped: if a
    /// newer one was fetched meanwhile, it stays.
    public func invalidate(_ token: AccessToken) {
        let key = Key(tenant: token.tenantId.lowercased(), scope: token.scope)
        if cache[key]?.value == token.value {
            cache[key] = nil
            logger.debug("token invalidated", metadata: ["tenant": "\(token.tenantId)", "scope": "\(token.scope)"])
        }
    }

    /// Forgets every cached token (e.g. after the credential was rotated).
    public func invalidateAll() { cache.removeAll() }

    private func finish(_ key: Key, _ result: Result<AccessToken, TokenError>) {
        inFlight[key] = nil
        if case .success(let token) = result { cache[key] = token }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}

/// One token request, built from values so it can run outside the actor.
private struct TokenRequestPlan: Sendable {
    var tenantId: String
    var scope: String
    var clientId: String
    var credential: AppCredential
    var endpoint: String
    var clock: M365Clock

    func run(http: HTTPClient, logger: Logger) async -> Result<AccessToken, TokenError> {
        let requestId = UUID().uuidString.lowercased()
        let startedAt = clock.now()
        var form: [(String, String)] = [
            ("grant_type", "client_credentials"), ("client_id", clientId), ("scope", scope),
        ]
        let isIdempotent: Bool
        switch credential {
        case .secret(let secret):
            form.append(("client_secret", secret))
            // Asking twice for a token is harmless.
            isIdempotent = true
        case .certificate(let key, let thumbprint):
            do {
                let assertion = try ClientAssertionBuilder.make(
                    clientId: clientId, audience: endpoint, privateKey: key, thumbprint: thumbprint,
                    issuedAt: startedAt)
                form.append(("client_assertion_type", ClientAssertionBuilder.assertionType))
                form.append(("client_assertion", assertion))
            } catch {
                return .failure(
                    TokenError(
                        code: .signingFailed, message: "could not sign the client assertion: \(error)",
                        isRetriable: false))
            }
            // An assertion's `jti` may be accepted only once, so a resend after a lost answer
            // could be refused as a replay: let HTTP resend only when the server surely did not act.
            isIdempotent = false
        }
        var request = HTTPRequest(
            method: "POST", url: endpoint,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                // Entra echoes it as the correlation id: the handle to quote to Microsoft support.
                ("client-request-id", requestId),
            ],
            body: Data(FormURLEncoding.encode(form.map { (name: $0.0, value: $0.1) }).utf8), isIdempotent: isIdempotent)
        request.api = "token"
        let metadata: Logger.Metadata = [
            "tenant": "\(tenantId)", "scope": "\(scope)", "client_id": "\(clientId)",
            "credential": "\(credential.kind)", "client_request_id": "\(requestId)",
        ]
        logger.debug("requesting token", metadata: metadata)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch {
            let failure = TokenError(error)
            logger.warning("token request failed", metadata: metadata.merging(["error": "\(failure)"]) { $1 })
            return .failure(failure)
        }
        let result = Self.parse(response, tenantId: tenantId, scope: scope, startedAt: startedAt)
        switch result {
        case .success(let token):
            logger.debug(
                "token issued",
                metadata: metadata.merging(["expires_at": "\(token.expiresAt)", "status": "\(response.status)"]) {
                    $1
                })
        case .failure(let error):
            logger.warning("token request refused", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return result
    }

    static func parse(_ response: HTTPResponse, tenantId: String, scope: String, startedAt: Date) -> Result<
        AccessToken, TokenError
    > {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.status == 200 else {
            guard let object, object["error"] != nil || object["error_description"] != nil else {
                return .failure(
                    TokenError(
                        code: response.status >= 500 ? .serviceUnavailable : .unexpectedResponse,
                        message: "HTTP \(response.status) from the token endpoint, not Entra's error JSON: "
                            + BodySnippet.of(response.body),
                        httpStatus: response.status, isRetriable: response.status >= 500))
            }
            let codes = (object["error_codes"] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
            return .failure(
                TokenError.fromEntra(
                    status: response.status, error: object["error"] as? String,
                    description: object["error_description"] as? String, codes: codes))
        }
        // `expires_in` is a number from the v2.0 endpoint; older endpoints sent a string.
        let expiresIn =
            (object?["expires_in"] as? NSNumber)?.doubleValue
            ?? (object?["expires_in"] as? String).flatMap(Double.init)
        guard let value = object?["access_token"] as? String, !value.isEmpty, let expiresIn, expiresIn > 0 else {
            return .failure(
                TokenError(
                    code: .unexpectedResponse,
                    message: "the token endpoint answered 200 without access_token and expires_in",
                    httpStatus: 200, isRetriable: false))
        }
        return .success(
            AccessToken(
                value: value, tenantId: tenantId, scope: scope, expiresAt: startedAt.addingTimeInterval(expiresIn)))
    }
}
