public import Foundation

/// One HTTP request to a Microsoft API (or anything else).
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Whether sending it twice is harmless. Requests that are not idempotent are
    /// retried only when the server surely did not act on them (429, 503, refused connection).
    public var isIdempotent: Bool
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?
    /// Which API this is, for metrics: `graph`, `management`, `token`; nil counts as `other`.
    /// A small fixed set on purpose (never a URL): it becomes a Prometheus label.
    public var api: String?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        isIdempotent: Bool? = nil, timeout: Duration? = nil
    ) {
        self.method = method.uppercased()
        self.url = url
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
        self.timeout = timeout
    }
}

/// A response, whole: status, headers (names as received) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The last value of a header, names compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
