public import Logging

/// The level of each component's logger: one default, and overrides by logger label.
///
/// An override names a label or a parent of it on dot boundaries, and the longest match wins:
/// `inboxwatch.correlator=debug` applies to `inboxwatch.correlator` and `inboxwatch.correlator.state`,
/// not to `inboxwatch.correlatorx`.
public struct LogLevels: Sendable, Hashable {
    public var defaultLevel: Logger.Level
    public var overrides: [String: Logger.Level]

    public init(defaultLevel: Logger.Level = .info, overrides: [String: Logger.Level] = [:]) {
        self.defaultLevel = defaultLevel
        self.overrides = overrides
    }

    public func level(for label: String) -> Logger.Level {
        var candidate = Substring(label)
        while true {
            if let level = overrides[String(candidate)] { return level }
            guard let dot = candidate.lastIndex(of: ".") else { return defaultLevel }
            candidate = candidate[..<dot]
        }
    }

    /// Parses `LABEL=LEVEL` (as `--log-level-for` takes it); nil when either part is missing or
    /// the level is not one of swift-log's.
    public static func parseOverride(_ text: String) -> (label: String, level: Logger.Level)? {
        guard let equals = text.lastIndex(of: "=") else { return nil }
        let label = text[..<equals].trimmingWhitespace
        let level = text[text.index(after: equals)...].trimmingWhitespace.lowercased()
        guard !label.isEmpty, let parsed = Logger.Level(rawValue: level) else { return nil }
        return (label, parsed)
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
