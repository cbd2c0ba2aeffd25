public import Foundation
public import HTTP
public import Logging

/// A client of the Office 365 Management Activity API for one tenant: subscriptions, content
/// listings (following `NextPageUri` to the end) and content blobs.
///
/// - Every call carries `PublisherIdentifier`, which gives the caller its own throttling quota.
/// - Throttling (HTTP 403 with AF429, not 429) is retried with HTTP's exponential backoff,
///   as are AF50000 and other 5xx.
/// - A 401 drops the token and retries once with a new one, so a token that expires in the
///   middle of a listing costs one request, not the listing.
/// - Windows are checked locally (≤ 24 h, start ≥ now − 7 days) before anything is sent.
/// - URLs the API hands out (next pages, blobs) are followed only on the configured host, so
///   the bearer token never goes anywhere else.
public struct ManagementActivityClient: Sendable {
    public let tenantId: String
    /// Sent as `PublisherIdentifier` on every call; defaults to the tenant id.
    public let publisherIdentifier: String
    private let caller: AuditCallerBox
    private let feed: String
    private let endpoints: M365Endpoints
    private let clock: M365Clock
    private let logger: Logger

    // The caller is a struct; a class box keeps `ManagementActivityClient` itself cheap to copy
    // and shares the skew between copies.
    private final class AuditCallerBox: Sendable {
        let caller: AuthorizedCaller
        init(_ caller: AuthorizedCaller) { self.caller = caller }
    }

    public init(
        tenantId: String, tokens: TokenProvider, http: HTTPClient, endpoints: M365Endpoints = .commercial,
        publisherIdentifier: String? = nil, clock: M365Clock = .system, logger: Logger
    ) {
        self.tenantId = tenantId
        self.publisherIdentifier = publisherIdentifier ?? tenantId
        self.endpoints = endpoints
        self.feed = endpoints.managementFeed(tenantId: tenantId)
        self.clock = clock
        self.logger = logger
        self.caller = AuditCallerBox(
            AuthorizedCaller(
                http: http, tokens: tokens, tenantId: tenantId, scope: endpoints.managementScope, clock: clock,
                logger: logger, skew: SharedBox(nil)))
    }

    /// The server's clock minus ours in seconds, from the `Date` header of the last answer
    /// (positive: the server is ahead). Collectors use it to warn and to keep cursors out of
    /// the future. Nil until an answer with a `Date` header arrived.
    public var lastServerTimeSkew: TimeInterval? { caller.caller.skew.value }

    // MARK: Subscriptions

    /// Starts the subscription for `contentType`. Already enabled (AF20024) counts as success.
    @discardableResult
    public func startSubscription(_ contentType: AuditContentType) async throws(ManagementError)
        -> ManagementSubscription
    {
        let url = feed + "/subscriptions/start" + URLPath.query(withPublisher([("contentType", contentType.rawValue)]))
        // Starting twice is harmless (AF20024), so HTTP may resend it.
        let response = try await send("POST", url, body: Data(), isIdempotent: true)
        if response.status == 200 || response.status == 201 {
            return (try? Self.subscription(from: JSONSerialization.jsonObject(with: response.body)))
                ?? ManagementSubscription(contentType: contentType, status: "enabled")
        }
        let error = Self.error(from: response)
        if error.afCode?.uppercased() == "AF20024" {
            logger.debug("subscription already enabled", metadata: ["content_type": "\(contentType)"])
            return ManagementSubscription(contentType: contentType, status: "enabled")
        }
        throw error
    }

    /// Every subscription of the tenant (for this publisher).
    public func listSubscriptions() async throws(ManagementError) -> [ManagementSubscription] {
        let url = feed + "/subscriptions/list" + URLPath.query(withPublisher([]))
        let response = try await send("GET", url)
        guard response.status == 200 else { throw Self.error(from: response) }
        guard let list = (try? JSONSerialization.jsonObject(with: response.body)) as? [Any] else {
            throw Self.unexpected(response, expected: "a JSON array of subscriptions")
        }
        return list.compactMap(Self.subscription(from:))
    }

    /// Stops the subscription for `contentType`. Content already published stays listable.
    public func stopSubscription(_ contentType: AuditContentType) async throws(ManagementError) {
        let url = feed + "/subscriptions/stop" + URLPath.query(withPublisher([("contentType", contentType.rawValue)]))
        let response = try await send("POST", url, body: Data(), isIdempotent: true)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
    }

    // MARK: Content

    /// The pages of the content listing for `contentType` in `window`, first to last. The window
    /// is checked when iteration starts, against this client's clock.
    public func contentPages(contentType: AuditContentType, window: AuditWindow) -> ContentListing {
        ContentListing(client: self, start: .window(contentType, window))
    }

    /// The pages from a `NextPageUri` kept earlier (a checkpoint) to the end.
    public func contentPages(resumingAt nextPageURI: String) -> ContentListing {
        ContentListing(client: self, start: .page(nextPageURI))
    }

    /// Every blob of the listing, all pages walked.
    public func listContent(contentType: AuditContentType, window: AuditWindow) async throws(ManagementError)
        -> [ContentBlobReference]
    {
        var blobs: [ContentBlobReference] = []
        for try await page in contentPages(contentType: contentType, window: window) {
            blobs += page.blobs
        }
        return blobs
    }

    /// The URL of the first page of a listing, after checking the window.
    func firstPageURL(contentType: AuditContentType, window: AuditWindow) throws(ManagementError) -> String {
        try window.validate(now: clock.now())
        return feed + "/subscriptions/content"
            + URLPath.query(
                withPublisher([
                    ("contentType", contentType.rawValue), ("startTime", M365Time.windowTime(window.start)),
                    ("endTime", M365Time.windowTime(window.end)),
                ]))
    }

    /// Reads one page of a listing from `url` (a first page or a `NextPageUri`).
    public func contentPage(at url: String) async throws(ManagementError) -> ContentPage {
        let target = try trusted(withPublisherIfMissing(url), what: "next page URL")
        let response = try await send("GET", target)
        guard response.status == 200 else { throw Self.error(from: response) }
        guard let list = (try? JSONSerialization.jsonObject(with: response.body)) as? [Any] else {
            throw Self.unexpected(response, expected: "a JSON array of content blobs")
        }
        var blobs: [ContentBlobReference] = []
        for item in list {
            guard let object = item as? [String: Any], let contentUri = object["contentUri"] as? String,
                let contentId = object["contentId"] as? String
            else {
                throw Self.unexpected(response, expected: "content entries with contentUri and contentId")
            }
            blobs.append(
                ContentBlobReference(
                    contentType: AuditContentType(rawValue: object["contentType"] as? String ?? ""),
                    contentId: contentId, contentUri: contentUri,
                    contentCreated: (object["contentCreated"] as? String).flatMap(M365Time.parseISO),
                    contentExpiration: (object["contentExpiration"] as? String).flatMap(M365Time.parseISO)))
        }
        let next = response.header("NextPageUri")?.trimmingCharacters(in: .whitespaces)
        if let next, next.contains(where: { $0.isWhitespace || $0.isNewline }) {
            // A header parsed badly (one collector's regex swallowed the next header line) must
            // stop the listing loudly rather than loop or skip.
            throw ManagementError(
                code: .invalidNextPage, message: "NextPageUri is not one URL: \(Redaction.url(next))",
                httpStatus: response.status)
        }
        return ContentPage(pageURI: target, blobs: blobs, nextPageURI: next?.isEmpty == false ? next : nil)
    }

    /// Fetches a blob and splits it into the exact bytes of each record.
    public func fetchBlob(_ contentUri: String) async throws(ManagementError) -> AuditBlobContent {
        let target = try trusted(withPublisherIfMissing(contentUri), what: "content URI")
        let response = try await send("GET", target)
        guard response.status == 200 else { throw Self.error(from: response) }
        do {
            let records = try JSONArraySplitter.split(response.body)
            return AuditBlobContent(contentUri: contentUri, body: response.body, records: records)
        } catch {
            throw ManagementError(
                code: .unexpectedResponse,
                message: "the blob is not a JSON array (\(error.reason) at byte \(error.offset)): "
                    + BodySnippet.of(response.body),
                httpStatus: response.status, isRetriable: false)
        }
    }

    /// ``fetchBlob(_:)`` for a listed blob.
    public func fetchBlob(_ blob: ContentBlobReference) async throws(ManagementError) -> AuditBlobContent {
        try await fetchBlob(blob.contentUri)
    }

    // MARK: Plumbing

    private func send(_ method: String, _ url: String, body: Data? = nil, isIdempotent: Bool? = nil)
        async throws(ManagementError) -> HTTPResponse
    {
        do {
            return try await caller.caller.send(
                method, url, body: body, isIdempotent: isIdempotent, classify: Self.classify)
        } catch {
            throw ManagementError(error)
        }
    }

    /// HTTP's default retry rules, plus: a 403 whose body says AF429 is throttling, retried with
    /// HTTP's exponential backoff (the API sends no Retry-After).
    static let classify: @Sendable (HTTPResponse) -> RetryDecision = { response in
        if response.status == 403, errorBody(response.body)?.code.uppercased() == "AF429" {
            return .retry(after: nil)
        }
        return HTTPClient.defaultClassifier(response)
    }

    private func withPublisher(_ items: [(String, String)]) -> [(String, String)] {
        items + [("PublisherIdentifier", publisherIdentifier)]
    }

    /// Next-page and content URLs are used as given (their query names may be in any case),
    /// only with `PublisherIdentifier` added when the API left it out.
    private func withPublisherIfMissing(_ url: String) -> String {
        let query = url.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
        let hasPublisher = query.split(separator: "&").contains {
            $0.split(separator: "=", maxSplits: 1).first?.lowercased() == "publisheridentifier"
        }
        guard !hasPublisher else { return url }
        return url + (url.contains("?") ? "&" : "?") + "PublisherIdentifier=" + URLPath.queryValue(publisherIdentifier)
    }

    private func trusted(_ url: String, what: String) throws(ManagementError) -> String {
        guard OriginCheck.isSameOrigin(url, as: endpoints.managementBase) else {
            throw ManagementError(
                code: .untrustedURL,
                message: "the \(what) \(Redaction.url(url)) is not on \(endpoints.managementBase); not followed")
        }
        return url
    }

    static func errorBody(_ body: Data) -> (code: String, message: String)? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
            let error = object["error"] as? [String: Any], let code = error["code"] as? String
        else { return nil }
        return (code, error["message"] as? String ?? "")
    }

    /// A failed answer as a typed error: Microsoft's AF code and message when the body has them;
    /// otherwise the status and a snippet of what came back (never "unknown error").
    static func error(from response: HTTPResponse) -> ManagementError {
        if let (af, message) = errorBody(response.body) {
            return ManagementError(
                code: ManagementError.code(forAF: af, status: response.status), message: "\(af): \(message)",
                afCode: af, httpStatus: response.status)
        }
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        // ASP.NET's shape, which the API uses for 401: {"Message": "..."}.
        let text = (object?["Message"] as? String) ?? (object?["message"] as? String)
        let code: ManagementError.Code =
            switch response.status {
            case 401: .unauthorized
            case 403: .missingPermission
            case 429: .throttled
            case 500...: .internalError
            default: .other
            }
        let detail = text.map { "\"\($0)\"" } ?? "non-JSON body: \(BodySnippet.of(response.body))"
        return ManagementError(
            code: code, message: "HTTP \(response.status) with \(detail)", httpStatus: response.status,
            isRetriable: code.isRetriable)
    }

    static func unexpected(_ response: HTTPResponse, expected: String) -> ManagementError {
        ManagementError(
            code: .unexpectedResponse,
            message: "HTTP \(response.status), expected \(expected), got: \(BodySnippet.of(response.body))",
            httpStatus: response.status)
    }

    private static func subscription(from item: Any) -> ManagementSubscription? {
        guard let object = item as? [String: Any], let type = object["contentType"] as? String else { return nil }
        let webhook = (object["webhook"] as? [String: Any])?["address"] as? String
        return ManagementSubscription(
            contentType: AuditContentType(rawValue: type), status: object["status"] as? String ?? "unknown",
            webhookAddress: webhook)
    }
}

/// The pages of one content listing, walked by following `NextPageUri` until a page has none.
///
/// An `AsyncSequence` with typed errors: `for try await page in listing` throws
/// ``ManagementError``. A failed page can be retried by resuming at the last page's
/// `nextPageURI`, so nothing already read is read again.
public struct ContentListing: AsyncSequence, Sendable {
    public typealias Element = ContentPage
    public typealias Failure = ManagementError

    enum Start: Sendable {
        case window(AuditContentType, AuditWindow)
        case page(String)
    }

    let client: ManagementActivityClient
    let start: Start

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, start: start) }

    /// Walks the pages one request at a time.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: ManagementActivityClient
        var start: Start?
        var next: String?
        var seen: Set<String> = []

        init(client: ManagementActivityClient, start: Start) {
            self.client = client
            self.start = start
        }

        public mutating func next() async throws(ManagementError) -> ContentPage? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(ManagementError)
            -> ContentPage?
        {
            let url: String
            if let start {
                self.start = nil
                switch start {
                case .window(let type, let window): url = try client.firstPageURL(contentType: type, window: window)
                case .page(let page): url = page
                }
            } else if let next {
                url = next
            } else {
                return nil
            }
            // A next page that was already read means the service (or a header parser) is going
            // in circles: stop loudly rather than loop forever.
            guard seen.insert(url).inserted else {
                throw ManagementError(
                    code: .invalidNextPage, message: "NextPageUri repeats an earlier page: \(Redaction.url(url))")
            }
            let page = try await client.contentPage(at: url)
            next = page.nextPageURI
            return page
        }
    }
}

/// Whether a URL handed out by an API is on the host we were configured for, so a bearer token
/// is never sent anywhere else.
enum OriginCheck {
    static func isSameOrigin(_ url: String, as base: String) -> Bool {
        guard let target = origin(url), let expected = origin(base) else { return false }
        return target == expected
    }

    private static func origin(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased()
        else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
        return "\(scheme)://\(host):\(port)"
    }
}
