import Foundation

/// What a key's value must be. Each kind checks a raw value and says what would be right.
public enum ConfigValueKind: Sendable, Hashable {
    /// Any non-empty text.
    case text
    /// `host:port[,host:port...]`.
    case hostPorts
    /// A length of time such as `90s`, `15m`, `4h`, `7d` (plain numbers are seconds), in a range.
    case duration(minimumSeconds: Double, maximumSeconds: Double?)
    /// A whole number in a range.
    case integer(ClosedRange<Int>)
    /// `true` or `false`.
    case boolean
    /// One of a fixed set of words.
    case oneOf([String])
    /// A list whose every item is one of a fixed set of words.
    case listOf([String])
    /// A list of texts.
    case list
    /// A list of `TENANT=VALUE` pairs, as the matching repeatable flag takes them.
    case tenantValueList
    /// A list of domain names such as `partner.example`.
    case domainList
    /// The path of a file that must exist and be readable.
    case file
    /// The name of an environment variable that must be set and not empty.
    case environmentVariable
    /// A tenant id: a GUID or a domain name.
    case tenantId
    /// An absolute `http(s)` URL.
    case url
    /// A certificate thumbprint: 40 hex digits.
    case thumbprint
    /// An interval back from now (`3d`) or a UTC time (`2026-11-20T00:00:00Z`), at most so many days ago.
    case since(maximumDays: Int)
    /// A log level of swift-log.
    case logLevel
    /// A secret value: accepted from the environment only, never from the file.
    case secret

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// What is wrong with `value`, with what would be right; nil when it is fine.
    /// `shown` is how the value may be quoted (`<secret>` for secret keys).
    func problem(
        with value: ConfigRawValue, shown: String, environment: [String: String],
        fileExists: (String) -> Bool
    ) -> String? {
        switch self {
        case .list, .listOf, .tenantValueList, .domainList:
            return listProblem(value.items, shown: shown)
        default:
            guard case .text(let text) = value else {
                return "is a list; expected one value (\(expectation))"
            }
            return textProblem(text, shown: shown, environment: environment, fileExists: fileExists)
        }
    }

    /// A short description of a right value, used in messages and the summary.
    var expectation: String {
        switch self {
        case .text: "text"
        case .hostPorts: "host:port[,host:port]"
        case .duration: "a duration such as 90s, 5m, 4h or 7d"
        case .integer(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .boolean: "true or false"
        case .oneOf(let words): "one of \(words.joined(separator: ", "))"
        case .listOf(let words): "a list of \(words.joined(separator: ", "))"
        case .list: "a list"
        case .tenantValueList: "a list of TENANT=VALUE"
        case .domainList: "a list of domain names such as partner.example"
        case .file: "the path of a readable file"
        case .environmentVariable: "the name of a set environment variable"
        case .tenantId: "a tenant GUID or domain such as contoso.onmicrosoft.com"
        case .url: "a base URL such as http://127.0.0.1:8080"
        case .thumbprint: "40 hex digits"
        case .since: "an interval such as 3d or a UTC time such as 2026-11-20T00:00:00Z"
        case .logLevel: "one of \(Self.logLevels.joined(separator: ", "))"
        case .secret: "a secret, from the environment only"
        }
    }

    private func listProblem(_ items: [String], shown: String) -> String? {
        switch self {
        case .listOf(let words):
            for item in items where !words.contains(item) {
                return "\"\(item)\" is not one of \(words.joined(separator: ", "))\(suggestion(item, among: words))"
            }
        case .tenantValueList:
            for item in items {
                let parts = item.split(separator: "=", maxSplits: 1).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                if parts.count != 2 || parts[0].isEmpty || parts[1].isEmpty {
                    return "\"\(item)\" is not TENANT=VALUE; use e.g. contoso.onmicrosoft.com=contoso.com"
                }
            }
        case .domainList:
            for item in items where !item.contains(".") || item.contains("@") || item.contains(" ") {
                return "\"\(item)\" is not a domain name; use e.g. partner.example"
            }
        default: break
        }
        return nil
    }

    private func textProblem(
        _ text: String, shown: String, environment: [String: String], fileExists: (String) -> Bool
    ) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty && self != .text { return "is empty; expected \(expectation)" }
        switch self {
        case .text:
            return trimmed.isEmpty ? "is empty; set a value" : nil
        case .hostPorts:
            for server in trimmed.split(separator: ",") {
                let parts = server.trimmingCharacters(in: .whitespaces).split(separator: ":")
                guard parts.count >= 2, let port = Int(parts.last!), (1...65535).contains(port) else {
                    return "\"\(shown)\" is not host:port[,host:port]; use e.g. kafka-1:9092,kafka-2:9092"
                }
            }
            return nil
        case .duration(let minimum, let maximum):
            guard let seconds = ConfigDuration.seconds(trimmed) else {
                return "\"\(shown)\" is not a duration; use e.g. 90s, 5m, 4h or 7d"
            }
            if seconds < minimum || (minimum > 0 && seconds == 0) {
                return "\(shown) is too short; at least \(ConfigDuration.describe(max(minimum, 0.001)))"
            }
            if let maximum, seconds > maximum {
                return "\(shown) is too long; at most \(ConfigDuration.describe(maximum))"
            }
            return nil
        case .integer(let range):
            guard let number = Int(trimmed) else {
                return "\"\(shown)\" is not a whole number; use \(expectation)"
            }
            guard range.contains(number) else { return "\(number) is out of range; use \(expectation)" }
            return nil
        case .boolean:
            return ["true", "false"].contains(trimmed.lowercased()) ? nil : "\"\(shown)\" is not true or false"
        case .oneOf(let words):
            return words.contains(trimmed)
                ? nil : "\"\(shown)\" is not \(expectation)\(suggestion(trimmed, among: words))"
        case .logLevel:
            return Self.logLevels.contains(trimmed.lowercased())
                ? nil : "\"\(shown)\" is not a log level; use \(expectation)"
        case .file:
            return fileExists(trimmed) ? nil : "\(trimmed) does not exist or cannot be read; give \(expectation)"
        case .environmentVariable:
            guard let value = environment[trimmed], !value.isEmpty else {
                return "the environment variable \(trimmed) is not set or empty; export it, or name another"
            }
            return nil
        case .tenantId:
            return UUID(uuidString: trimmed) != nil || trimmed.contains(".")
                ? nil : "\"\(shown)\" is neither a GUID nor a domain name; use \(expectation)"
        case .url:
            guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return "\"\(shown)\" is not a URL; use \(expectation)"
            }
            return nil
        case .thumbprint:
            let hex = trimmed.replacingOccurrences(of: ":", with: "")
            return hex.count == 40 && hex.allSatisfy(\.isHexDigit)
                ? nil : "\"\(shown)\" is not 40 hex digits (the portal's Thumbprint column)"
        case .since(let days):
            return ConfigDuration.sinceProblem(trimmed, maximumDays: days)
        case .secret, .list, .listOf, .tenantValueList, .domainList:
            return nil
        }
    }
}

/// ", did you mean X?" when a word is close to one of `words`; empty otherwise.
func suggestion(_ word: String, among words: [String]) -> String {
    guard let best = closest(to: word, among: words) else { return "" }
    return "; did you mean \(best)?"
}

/// The candidate nearest to `word` by edit distance (case-insensitive), when near enough to be a typo.
func closest(to word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
