public import Foundation

/// A running simulated tenant: the world, what clients changed in it, the
/// tokens it issued and the faults it injects. Every HTTP request goes through
/// ``handle(_:)``; the HTTP server in front of it is a thin adapter.
public actor SimulatedTenant {
    public nonisolated let world: SimulatedWorld
    public nonisolated let apps: SimulatorApps
    public nonisolated let index: PublicationIndex
    private var state = TenantState()
    private var tokens: TokenIssuer
    private var faults: FaultInjector
    private var clock: SimulationClock
    private var baseURL = "http://127.0.0.1"
    var currentBaseURL: String { baseURL }
    private var management: ManagementActivityAPI
    private var graph: GraphAPI
    private var requestsServed = 0

    /// - Parameter withheld: application permissions the administrator has not granted (see
    ///   ``WithheldPermission``); ones an app never had are ignored (``SimulatorApps/problem(withholding:)``
    ///   says so beforehand).
    public init(
        configuration: SimulatorConfiguration, clock: SimulationClock, faults: FaultPlan = FaultPlan(),
        withheld: [WithheldPermission] = []
    ) {
        let world = SimulatedWorld(configuration: configuration)
        self.world = world
        var random = SeededGenerator(seed: configuration.seed).derived("apps")
        let apps = SimulatorApps(random: &random).withholding(withheld)
        self.apps = apps
        self.index = PublicationIndex(world: world)
        self.clock = clock
        self.faults = FaultInjector(plan: faults, seed: configuration.seed)
        self.tokens = TokenIssuer(
            tenant: EntraTenant(
                tenantId: world.directory.tenantId, displayName: world.directory.displayName,
                domains: world.directory.domains.map(\.name), applications: apps.registrations))
        self.management = ManagementActivityAPI(world: world, index: index, baseURL: baseURL)
        self.graph = GraphAPI(
            world: world, baseURL: baseURL, options: GraphOptions(pageSize: configuration.graphPageSize))
    }

    /// Sets the URL clients reach the simulator at (known once the server is bound).
    public func bind(baseURL: String) {
        self.baseURL = baseURL
        management = ManagementActivityAPI(world: world, index: index, baseURL: baseURL)
        graph = GraphAPI(
            world: world, baseURL: baseURL, options: GraphOptions(pageSize: world.configuration.graphPageSize))
    }

    public func now() -> Date { clock.now() }

    public func currentState() -> TenantState { state }

    public func faultPlan() -> FaultPlan { faults.plan }

    /// Replaces the fault plan; returns its problems instead if it has any.
    @discardableResult
    public func setFaultPlan(_ plan: FaultPlan) -> [String] {
        let problems = plan.problems()
        if problems.isEmpty { faults.plan = plan }
        return problems
    }

    /// The next `count` API calls answer with a 5xx.
    public func injectServerErrorBurst(_ count: Int) { faults.pendingServerErrors = max(0, count) }

    /// Every token issued so far stops working now.
    public func expireAllTokens() { tokens.expireAllTokens(now: clock.now()) }

    /// Adds a certificate credential to a registered app, as uploading a certificate in the
    /// portal does, so clients can sign in with a client assertion signed by the matching
    /// private key. `thumbprint` is what the assertion's `x5t` must carry (nil accepts any).
    /// Throws when no app has `clientId` or the key is not an RSA public key of 2048+ bits.
    public func registerCertificate(clientId: String, publicKeyPEM: String, thumbprint: String?) throws {
        let certificate = try RegisteredCertificate(publicKeyPEM: publicKeyPEM, thumbprint: thumbprint)
        guard
            let index = tokens.tenant.applications.firstIndex(where: {
                $0.clientId.lowercased() == clientId.lowercased()
            })
        else { throw CertificateRegistrationError(message: "no app with client id \(clientId) is registered") }
        tokens.tenant.applications[index].certificates.append(certificate)
    }

    public func advanceClock(by interval: TimeInterval) { clock.advance(by: interval) }

    public func setClock(to date: Date) { clock.set(date) }

    // MARK: Requests

    public func handle(_ request: SimRequest) -> SimResponse {
        requestsServed += 1
        if requestsServed % 1000 == 0 { tokens.prune(now: clock.now()) }
        let segments = request.segments
        let now = clock.now()
        if segments.first == "sim" {
            return inspect(request, now: now)
        }
        if segments.count == 4, segments[1] == "oauth2", segments[2] == "v2.0", segments[3] == "token" {
            return token(request, tenant: segments[0], now: now)
        }
        if segments.first == "api" {
            return api(.management, request, audience: EntraResource.managementActivity, now: now) {
                roles, state in
                self.management.handle(request, roles: roles, state: &state, now: now) { self.faults.isExpired($0) }
            }
        }
        if let first = segments.first, first.lowercased() == "v1.0" || first.lowercased() == "beta" {
            return api(.graph, request, audience: EntraResource.graph, now: now) { roles, state in
                self.graph.handle(request, roles: roles, state: &state, now: now)
            }
        }
        return .microsoftError(404, code: "NotFound", message: "No simulated API serves \(request.path).")
    }

    private func token(_ request: SimRequest, tenant: String, now: Date) -> SimResponse {
        guard request.method == "POST" else {
            return .microsoftError(405, code: "MethodNotAllowed", message: "The token endpoint accepts POST only.")
        }
        let tokenRequest = TokenRequest(formBody: request.body, clientRequestId: request.headers["client-request-id"])
        let lifetime = faults.plan.tokenLifetimeSeconds ?? world.configuration.tokenLifetime
        switch tokens.issue(
            tokenRequest, tenantInPath: tenant,
            assertionAudience: TokenIssuer.tokenEndpoint(loginBase: baseURL, tenant: tenant), now: now,
            tokenLifetime: lifetime)
        {
        case .issued(let token):
            return .jsonData(200, token.responseBody(), headers: [("Cache-Control", "no-store, no-cache")])
        case .rejected(let error):
            return .jsonData(error.httpStatus, error.jsonBody())
        }
    }

    private func api(
        _ kind: FaultInjector.API, _ request: SimRequest, audience: String, now: Date,
        serve: (Set<String>, inout TenantState) -> SimResponse
    ) -> SimResponse {
        // Graph echoes the caller's `client-request-id` on every answer.
        let requestId = kind == .graph ? Self.clientRequestId(request) : nil
        var response = authorizedAPI(kind, request, audience: audience, requestId: requestId, now: now, serve: serve)
        if let requestId { response.headers.append(("client-request-id", requestId)) }
        return response
    }

    private func authorizedAPI(
        _ kind: FaultInjector.API, _ request: SimRequest, audience: String, requestId: String?, now: Date,
        serve: (Set<String>, inout TenantState) -> SimResponse
    ) -> SimResponse {
        let roles: Set<String>
        switch tokens.validate(bearer: request.bearerToken ?? "", audience: audience, now: now) {
        case .valid(let token): roles = token.roles
        case .expired: return Self.unauthorized(kind, "Lifetime validation failed, the token is expired.")
        case .wrongAudience: return Self.unauthorized(kind, "Invalid audience.")
        case .unknown:
            return Self.unauthorized(
                kind, request.bearerToken == nil ? "Access token is empty." : "Access token validation failure.")
        }
        let publisher = request.queryValue("PublisherIdentifier") ?? world.directory.tenantId
        let realNow = ContinuousClock.now
        var response: SimResponse
        var throttling = GraphRequestLedger.Throttling.none
        if let requestId, let wait = state.requests.remainingWait(requestId, now: realNow) {
            // Sent again before the Retry-After of its 429 passed: Graph throttles it again.
            throttling = .earlyRetry
            response = Self.tooManyRequests(retryAfter: Self.wholeSeconds(wait))
        } else {
            switch faults.decide(kind, publisher: publisher, isWrite: request.method != "GET", now: now) {
            case .throttle:
                if kind == .graph {
                    throttling = .throttled
                    let seconds = faults.plan.graphRetryAfterSeconds
                    if let requestId, let seconds {
                        state.requests.mustWait(requestId, seconds: seconds, from: realNow)
                    }
                    response = Self.tooManyRequests(retryAfter: seconds)
                } else {
                    response = .microsoftError(
                        403, code: "AF429",
                        message: "Too many requests. Method=\(request.method), PublisherId=\(publisher)")
                }
            case .serverError:
                response =
                    kind == .graph
                    ? .microsoftError(
                        503, code: "ServiceUnavailable", message: "The service is temporarily unavailable.",
                        headers: [("Retry-After", "1")])
                    : .microsoftError(500, code: "AF50000", message: "An internal error occurred. Retry the request.")
            case .none:
                response = serve(roles, &state)
            }
        }
        if kind == .graph {
            let graph = self.graph
            state.requests.record(
                requestId: requestId, endpoint: graph.ledgerName(request), status: response.status,
                throttling: throttling)
        }
        response.headers.append(("Date", Self.httpDate(now)))
        response.headers.append(("request-id", UUID().uuidString.lowercased()))
        response.delay = faults.delay()
        return response
    }

    /// Graph's 429; `retryAfter` nil leaves the header out.
    private static func tooManyRequests(retryAfter seconds: Int?) -> SimResponse {
        .microsoftError(
            429, code: "TooManyRequests", message: "Too many requests, please retry later.",
            headers: seconds.map { [("Retry-After", String($0))] } ?? [])
    }

    /// Whole seconds, rounded up, so a client that waits them is never early.
    private static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    /// The `client-request-id` header when it holds something (Graph's clients send a GUID).
    private static func clientRequestId(_ request: SimRequest) -> String? {
        guard let value = request.headers["client-request-id"]?.trimmingCharacters(in: .whitespaces),
            !value.isEmpty, value.count <= 200
        else { return nil }
        return value
    }

    private static func unauthorized(_ kind: FaultInjector.API, _ message: String) -> SimResponse {
        switch kind {
        case .graph:
            .microsoftError(
                401, code: "InvalidAuthenticationToken", message: message,
                headers: [("WWW-Authenticate", #"Bearer error="invalid_token""#)])
        case .management:
            // The Management API answers in ASP.NET's shape, not in `{"error":…}`.
            .json(
                401, .object(["Message": .string("Authorization has been denied for this request.")]),
                headers: [("WWW-Authenticate", #"Bearer error="invalid_token""#)])
        }
    }

    /// RFC 7231 `Date`, so clients can compare clocks.
    static func httpDate(_ date: Date) -> String {
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let seconds = Int(SimTime.milliseconds(date) / 1000)
        let weekday = days[((seconds / 86_400) % 7 + 7) % 7]
        let text = SimTime.auditTime(date)  // yyyy-MM-ddTHH:mm:ss
        let parts = text.split(separator: "T")
        let ymd = parts[0].split(separator: "-")
        return "\(weekday), \(ymd[2]) \(months[Int(ymd[1])! - 1]) \(ymd[0]) \(parts[1]) GMT"
    }
}

/// Why ``SimulatedTenant/registerCertificate(clientId:publicKeyPEM:thumbprint:)`` refused.
public struct CertificateRegistrationError: Error, Sendable, Hashable {
    public var message: String
}
