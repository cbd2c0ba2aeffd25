/// What each worker would run with, for `inboxwatch config check`: secrets as `<secret>`, and
/// where each value comes from (file, environment, flag, default).
public struct ConfigurationSummary: Sendable, CustomStringConvertible {
    let entries: ConfigurationEntries
    let layers: ConfigurationLayers

    public init(_ layers: ConfigurationLayers) {
        self.layers = layers
        entries = ConfigurationEntries(layers)
    }

    /// Sections in the order a reader needs them, each with the workers that read it.
    static let sections: [(prefix: String, title: String)] = [
        ("kafka", "every worker (kafka)"),
        ("tenants", "collect audit, collect mail, act (tenants)"),
        ("collector", "collect audit, collect mail (collector)"),
        ("correlator", "correlate (correlator)"),
        ("actionWorker", "act (actionWorker)"),
        ("logging", "every worker (logging)"),
        ("metrics", "every worker (metrics)"),
    ]

    public var description: String {
        var lines: [String] = []
        for (prefix, title) in Self.sections {
            let shown = entries.all.filter { $0.key.hasPrefix(prefix + ".") }.compactMap { entry in
                entry.display.map { "    \(entry.key) = \($0)" }
            }
            lines.append("  \(title):")
            if prefix == "tenants" && layers.tenants.isEmpty {
                lines.append("    (none: the collectors and the action worker need at least one tenant)")
            } else if prefix == "actionWorker" && layers.value("actionWorker.policy") == nil {
                lines.append("    (not configured: set actionWorker.policy and actionWorker.trustedKeys to run act)")
            } else {
                lines += shown.isEmpty ? ["    (defaults)"] : shown
            }
        }
        return lines.joined(separator: "\n")
    }
}
