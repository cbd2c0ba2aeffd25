public import Foundation

/// An HTTP request as the simulator's API handlers see it: independent of the
/// HTTP server, so handlers are plain functions over values.
public struct SimRequest: Sendable {
    /// Upper-case method.
    public var method: String
    /// Percent-decoded path without the query.
    public var path: String
    /// Query items in order, percent-decoded (`+` stays `+`, as in URLs).
    public var query: [(name: String, value: String)]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:],
        body: Data = Data()
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }

    /// Parses `path?query` as it appears on the request line.
    public init(method: String, target: String, headers: [String: String] = [:], body: Data = Data()) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = String(parts[0])
        let query: [(name: String, value: String)] =
            parts.count > 1
            ? parts[1].split(separator: "&").map { item in
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
                let value = pair.count > 1 ? (String(pair[1]).removingPercentEncoding ?? String(pair[1])) : ""
                return (name, value)
            } : []
        self.init(
            method: method, path: rawPath.removingPercentEncoding ?? rawPath, query: query, headers: headers, body: body
        )
    }

    /// The value of a query parameter; names compare case-insensitively, as the
    /// Management API does (a next-page URL may spell `starttime`).
    public func queryValue(_ name: String) -> String? {
        query.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Path segments without empty ones.
    public var segments: [String] { path.split(separator: "/").map(String.init) }

    /// The bearer token of the `Authorization` header.
    public var bearerToken: String? {
        guard let header = headers["authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].caseInsensitiveCompare("Bearer") == .orderedSame else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}
