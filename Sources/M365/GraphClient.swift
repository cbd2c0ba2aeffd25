public import Events
public import Foundation
public import HTTP
public import Logging

/// Reads Microsoft Graph for one tenant: generic paging over `@odata.nextLink`, delta rounds
/// (`@odata.deltaLink`, `@removed`, 410 → ``GraphError/Code/resyncRequired``), and the typed
/// reads the mail collector needs.
///
/// - 429 and 503 wait for `Retry-After` (HTTP's default retry rules).
/// - 403 fails at once with Graph's message: a missing permission does not fix itself.
/// - 401 drops the token and retries once with a new one.
/// - Next and delta links are followed only on the configured Graph host.
public struct GraphClient: Sendable {
    public let tenantId: String
    private let box: CallerBox
    private let endpoints: M365Endpoints
    private let logger: Logger

    final class CallerBox: Sendable {
        let caller: AuthorizedCaller
        init(_ caller: AuthorizedCaller) { self.caller = caller }
    }

    public init(
        tenantId: String, tokens: TokenProvider, http: HTTPClient, endpoints: M365Endpoints = .commercial,
        clock: M365Clock = .system, logger: Logger
    ) {
        self.tenantId = tenantId
        self.endpoints = endpoints
        self.logger = logger
        self.box = CallerBox(
            AuthorizedCaller(
                http: http, tokens: tokens, tenantId: tenantId, scope: endpoints.graphScope, clock: clock,
                logger: logger, skew: SharedBox(nil)))
    }

    /// The server's clock minus ours in seconds, from the last `Date` header.
    public var lastServerTimeSkew: TimeInterval? { box.caller.skew.value }

    // MARK: Generic reads

    /// The URL of `path` (relative to the version, e.g. `users/{id}/messages`) with a query.
    public func url(_ path: String, query: [(String, String)] = [], version: GraphVersion = .v1) -> String {
        var relative = path
        while relative.hasPrefix("/") { relative.removeFirst() }
        return "\(endpoints.graphBase)/\(version.rawValue)/\(relative)" + URLPath.query(query)
    }

    /// One resource (or any JSON answer) at `path`.
    public func get(_ path: String, query: [(String, String)] = [], version: GraphVersion = .v1)
        async throws(GraphError) -> JSONValue
    {
        try await getJSON(url(path, query: query, version: version))
    }

    /// The pages of a collection, starting at `url` (a first page, or a next / delta link kept
    /// earlier), following `@odata.nextLink` until a page has none.
    public func pages(startingAt url: String, headers: [(name: String, value: String)] = []) -> GraphPages {
        GraphPages(client: self, start: url, headers: headers)
    }

    /// The pages of the collection at `path`.
    public func pages(_ path: String, query: [(String, String)] = [], version: GraphVersion = .v1) -> GraphPages {
        pages(startingAt: url(path, query: query, version: version))
    }

    /// Every item of the collection at `path`, all pages walked.
    public func list(
        _ path: String, query: [(String, String)] = [], version: GraphVersion = .v1, timeKey: String? = nil
    ) async throws(GraphError) -> [GraphItem] {
        var items: [GraphItem] = []
        for try await page in pages(path, query: query, version: version) {
            items += page.items.map { GraphItem(raw: $0, timeKey: timeKey) }
        }
        return items
    }

    /// One delta round: from `deltaLink` when there is one, else a full sync of `path`; walks
    /// the next links until the delta link. A 410 throws ``GraphError/Code/resyncRequired``:
    /// call again without the link.
    public func delta(
        _ path: String, query: [(String, String)] = [], deltaLink: String? = nil, pageSize: Int? = nil,
        timeKey: String? = nil
    ) async throws(GraphError) -> DeltaResult {
        let start = deltaLink ?? url(path, query: query)
        // Outlook resources take their delta page size from `Prefer`, not `$top`.
        let headers: [(name: String, value: String)] = pageSize.map { [("Prefer", "odata.maxpagesize=\($0)")] } ?? []
        var changed: [GraphItem] = []
        var removed: [RemovedItem] = []
        for try await page in pages(startingAt: start, headers: headers) {
            for item in page.items {
                if let marker = item["@removed"] {
                    removed.append(
                        RemovedItem(id: item["id"]?.stringValue ?? "", reason: marker["reason"]?.stringValue))
                } else {
                    changed.append(GraphItem(raw: item, timeKey: timeKey))
                }
            }
            if let link = page.deltaLink {
                return DeltaResult(changed: changed, removed: removed, deltaLink: link)
            }
        }
        throw GraphError(
            code: .unexpectedResponse, message: "the delta round ended without an @odata.deltaLink", isRetriable: false)
    }

    // MARK: Typed reads

    /// `users`: the directory's users.
    public func users(select: [String]? = nil) async throws(GraphError) -> [GraphItem] {
        try await list("users", query: select.map { [("$select", $0.joined(separator: ","))] } ?? [])
    }

    /// `domains`: the tenant's accepted domains, which decide what counts as internal.
    public func domains() async throws(GraphError) -> [GraphItem] { try await list("domains") }

    /// `auditLogs/signIns` created at or after `since` (newest first, as Graph lists them).
    public func signIns(since: Date) async throws(GraphError) -> [GraphItem] {
        try await list(
            "auditLogs/signIns", query: [("$filter", "createdDateTime ge \(M365Time.odataTime(since))")],
            timeKey: "createdDateTime")
    }

    /// `identityProtection/riskyUsers`, optionally only those updated at or after `updatedSince`.
    public func riskyUsers(updatedSince: Date? = nil) async throws(GraphError) -> [GraphItem] {
        let query = updatedSince.map { [("$filter", "riskLastUpdatedDateTime ge \(M365Time.odataTime($0))")] } ?? []
        return try await list("identityProtection/riskyUsers", query: query, timeKey: "riskLastUpdatedDateTime")
    }

    /// Messages of one folder of `mailbox` (a user id or UPN), newest first, optionally only
    /// those received at or after `since`.
    public func messages(mailbox: String, folder: String = "inbox", since: Date? = nil) async throws(GraphError)
        -> [GraphItem]
    {
        let query = since.map { [("$filter", "receivedDateTime ge \(M365Time.odataTime($0))")] } ?? []
        return try await list(
            "users/\(URLPath.segment(mailbox))/mailFolders/\(URLPath.segment(folder))/messages", query: query,
            timeKey: "receivedDateTime")
    }

    /// A delta round over one folder of `mailbox`: the whole folder without `deltaLink`, the
    /// changes since with it.
    public func messagesDelta(
        mailbox: String, folder: String = "inbox", deltaLink: String? = nil, pageSize: Int? = nil
    ) async throws(GraphError) -> DeltaResult {
        try await delta(
            "users/\(URLPath.segment(mailbox))/mailFolders/\(URLPath.segment(folder))/messages/delta",
            deltaLink: deltaLink, pageSize: pageSize, timeKey: "receivedDateTime")
    }

    /// The inbox rules of `mailbox`.
    public func messageRules(mailbox: String) async throws(GraphError) -> [GraphItem] {
        try await list("users/\(URLPath.segment(mailbox))/mailFolders/inbox/messageRules")
    }

    /// The mailbox settings of `mailbox`. Graph shows no forwarding here: forwarding set with
    /// `Set-Mailbox` is only visible in the audit log.
    public func mailboxSettings(mailbox: String) async throws(GraphError) -> JSONValue {
        try await get("users/\(URLPath.segment(mailbox))/mailboxSettings")
    }

    /// User-reported and detected email threats (`security/threatSubmission/emailThreats`,
    /// beta only), created at or after `since`.
    public func threatSubmissions(since: Date? = nil) async throws(GraphError) -> [GraphItem] {
        let query = since.map { [("$filter", "createdDateTime ge \(M365Time.odataTime($0))")] } ?? []
        return try await list(
            "security/threatSubmission/emailThreats", query: query, version: .beta, timeKey: "createdDateTime")
    }

    /// Security alerts (`security/alerts_v2`) created at or after `since`.
    public func alerts(since: Date? = nil) async throws(GraphError) -> [GraphItem] {
        let query = since.map { [("$filter", "createdDateTime ge \(M365Time.odataTime($0))")] } ?? []
        return try await list("security/alerts_v2", query: query, timeKey: "createdDateTime")
    }

    // MARK: Plumbing

    func page(at url: String, headers: [(name: String, value: String)]) async throws(GraphError) -> GraphPage {
        let value = try await getJSON(url, headers: headers)
        guard case .array(let items)? = value["value"] else {
            throw GraphError(
                code: .unexpectedResponse,
                message: "a Graph collection without a 'value' array at \(Redaction.url(url))",
                isRetriable: false)
        }
        return GraphPage(
            url: url, items: items, nextLink: value["@odata.nextLink"]?.stringValue,
            deltaLink: value["@odata.deltaLink"]?.stringValue)
    }

    private func getJSON(_ url: String, headers: [(name: String, value: String)] = []) async throws(GraphError)
        -> JSONValue
    {
        guard OriginCheck.isSameOrigin(url, as: endpoints.graphBase) else {
            throw GraphError(
                code: .untrustedURL,
                message: "\(Redaction.url(url)) is not on \(endpoints.graphBase); not followed, so the token stays here"
            )
        }
        let response = try await send("GET", url, headers: headers)
        guard (200..<300).contains(response.status) else { throw GraphError.from(response) }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: response.body)
        } catch {
            throw GraphError(
                code: .unexpectedResponse,
                message: "HTTP \(response.status) with a body that is not JSON: \(BodySnippet.of(response.body))",
                httpStatus: response.status, requestId: response.header("request-id"))
        }
    }

    func send(
        _ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        isIdempotent: Bool? = nil,
        classify: @escaping @Sendable (HTTPResponse) -> RetryDecision = HTTPClient.defaultClassifier
    ) async throws(GraphError) -> HTTPResponse {
        do {
            return try await box.caller.send(
                method, url, headers: headers, body: body, isIdempotent: isIdempotent, classify: classify)
        } catch {
            throw GraphError(error)
        }
    }

    var graphBase: String { endpoints.graphBase }
    var clock: M365Clock { box.caller.clock }
}

/// The pages of a Graph collection, walked by following `@odata.nextLink`. Iterating throws
/// ``GraphError``; a failed walk can resume at the last page's `nextLink`.
public struct GraphPages: AsyncSequence, Sendable {
    public typealias Element = GraphPage
    public typealias Failure = GraphError

    let client: GraphClient
    let start: String
    let headers: [(name: String, value: String)]

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, next: start, headers: headers)
    }

    /// Reads one page per call.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: GraphClient
        var next: String?
        let headers: [(name: String, value: String)]
        var seen: Set<String> = []

        public mutating func next() async throws(GraphError) -> GraphPage? { try await next(isolation: nil) }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(GraphError) -> GraphPage? {
            guard let url = next else { return nil }
            // A next link that repeats an earlier page would loop forever.
            guard seen.insert(url).inserted else {
                throw GraphError(
                    code: .unexpectedResponse,
                    message: "@odata.nextLink repeats an earlier page: \(Redaction.url(url))",
                    isRetriable: false)
            }
            let page = try await client.page(at: url, headers: headers)
            next = page.nextLink
            return page
        }
    }
}
