import Foundation

/// Hides secrets before anything is logged or put into an error message.
///
/// Query and form parameters whose name is one of ``sensitiveParameters``
/// (compared case-insensitively, after percent-decoding) keep their name and
/// lose their value; so do the password of a URL's user info and
/// credential-bearing headers.
public enum Redaction {
    public static let replacement = "REDACTED"

    /// Parameter names whose values are secrets.
    public static let sensitiveParameters: Set<String> = [
        "client_secret", "client_assertion", "access_token", "refresh_token", "id_token", "code", "password", "sig",
        "token", "assertion",
    ]

    /// Header names whose values are secrets.
    public static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]

    /// The URL with user-info passwords and sensitive query and fragment values replaced.
    public static func url(_ url: String) -> String {
        // Most URLs carry neither a query, a fragment nor user info: nothing to do.
        guard
            url.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "@") })
        else { return url }
        var rest = Substring(url)
        var fragment: Substring?
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring?
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        var result = redactUserInfo(rest)
        if let query { result += "?" + parameters(query) }
        if let fragment { result += "#" + parameters(fragment) }
        return result
    }

    /// An `application/x-www-form-urlencoded` body with sensitive values replaced.
    public static func formBody(_ body: String) -> String {
        parameters(Substring(body))
    }

    /// The value to log for a header: secrets replaced, an `Authorization` scheme kept (`Bearer REDACTED`).
    public static func header(name: String, value: String) -> String {
        guard sensitiveHeaders.contains(name.lowercased()) else { return value }
        let lowered = name.lowercased()
        if lowered == "authorization" || lowered == "proxy-authorization",
            let space = value.firstIndex(of: " "), space != value.startIndex
        {
            return value[..<space] + " " + replacement
        }
        return replacement
    }

    private static func parameters(_ text: Substring) -> String {
        guard !text.isEmpty else { return "" }
        return text.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let rawName = pair[..<equals]
            let name = (rawName.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(rawName))
                .lowercased()
            return sensitiveParameters.contains(name) ? rawName + "=" + replacement : String(pair)
        }.joined(separator: "&")
    }

    /// `scheme://user:password@host/...` → `scheme://user:REDACTED@host/...`.
    private static func redactUserInfo(_ url: Substring) -> String {
        guard let schemeEnd = url.range(of: "://") else { return String(url) }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex(of: "/") ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return String(url) }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return String(url) }
        return url[..<colon] + ":" + replacement + url[at...]
    }
}
