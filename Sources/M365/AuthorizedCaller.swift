import Foundation
import HTTP
import Logging

/// Sends one API request with a bearer token: fetches the token, sends, and on a 401 drops
/// the token and tries once more with a fresh one (a token can be revoked or expire early on
/// the server's side whatever our clock says). Logs each call at debug level with the URL
/// redacted; never the token, never a body.
struct AuthorizedCaller: Sendable {
    let http: HTTPClient
    let tokens: TokenProvider
    let tenantId: String
    let scope: String
    let clock: M365Clock
    let logger: Logger
    /// The server's clock minus ours, from the last `Date` header seen.
    let skew: SharedBox<TimeInterval?>

    enum Failure: Error {
        case token(TokenError)
        case http(HTTPError)
    }

    func send(
        _ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        isIdempotent: Bool? = nil,
        classify: @escaping @Sendable (HTTPResponse) -> RetryDecision = HTTPClient.defaultClassifier
    ) async throws(Failure) -> HTTPResponse {
        var attempt = 1
        while true {
            let token: AccessToken
            do {
                token = try await tokens.token(tenantId: tenantId, scope: scope)
            } catch {
                throw .token(error)
            }
            var allHeaders = headers
            allHeaders.append(("Authorization", "Bearer " + token.value))
            if !allHeaders.contains(where: { $0.name.caseInsensitiveCompare("Accept") == .orderedSame }) {
                allHeaders.append(("Accept", "application/json"))
            }
            if body != nil,
                !allHeaders.contains(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame })
            {
                allHeaders.append(("Content-Type", "application/json"))
            }
            var request = HTTPRequest(
                method: method, url: url, headers: allHeaders, body: body, isIdempotent: isIdempotent)
            request.api = api
            let started = ContinuousClock.now
            let response: HTTPResponse
            do {
                response = try await http.execute(request, classify: classify)
            } catch {
                logger.debug(
                    "\(method) \(Redaction.url(url)) failed",
                    metadata: ["error": "\(error)", "elapsed_ms": "\(Self.milliseconds(since: started))"])
                throw .http(error)
            }
            recordSkew(response)
            logger.debug(
                "\(method) \(Redaction.url(url)) → \(response.status)",
                metadata: [
                    "elapsed_ms": "\(Self.milliseconds(since: started))",
                    "request_id": "\(response.header("request-id") ?? "-")",
                ])
            if response.status == 401, attempt == 1 {
                attempt += 1
                await tokens.invalidate(token)
                logger.debug("401: token dropped, retrying once with a new one", metadata: ["tenant": "\(tenantId)"])
                continue
            }
            return response
        }
    }

    /// The metrics label of the API this caller talks to, from its token's scope.
    var api: String {
        if scope.contains("graph") { return "graph" }
        if scope.contains("manage") { return "management" }
        return "other"
    }

    private func recordSkew(_ response: HTTPResponse) {
        guard let header = response.header("Date"), let serverTime = M365Time.parseHTTPDate(header) else { return }
        skew.value = serverTime.timeIntervalSince(clock.now())
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
