/// One concrete key of a configuration: its spec, and its value and source if anything sets it.
public struct ConfigurationEntry: Sendable {
    public var key: String
    public var spec: ConfigKeySpec
    public var value: ConfigRawValue?
    public var source: ConfigLayer?

    /// The value as it may be printed: secrets as `<secret>`, unset keys as their default.
    public var display: String? {
        guard let value else { return spec.defaultValue.map { "\($0) (default)" } }
        let text = spec.isSecret || ConfigFile.looksSecret(key) ? "<secret>" : value.text
        return "\(text) (\(source?.rawValue ?? "?"))"
    }
}

/// Every concrete key a configuration has: the schema's fixed keys, and its `*` keys once for
/// each name the file gives (each tenant, trusted key, component, librdkafka property).
public struct ConfigurationEntries: Sendable {
    public let all: [ConfigurationEntry]

    public init(_ layers: ConfigurationLayers) {
        var entries: [ConfigurationEntry] = []
        for spec in InboxwatchSchema.keys {
            for key in Self.instances(of: spec, in: layers) {
                entries.append(
                    ConfigurationEntry(key: key, spec: spec, value: layers.value(key), source: layers.source(key)))
            }
        }
        all = entries
    }

    static func instances(of spec: ConfigKeySpec, in layers: ConfigurationLayers) -> [String] {
        let segments = spec.segments
        if segments.last == "**" {
            return layers.keys(under: segments.dropLast().joined(separator: ".")).filter(spec.matches)
        }
        guard let star = segments.firstIndex(of: "*") else { return [spec.pattern] }
        let prefix = segments[..<star].joined(separator: ".")
        return layers.names(under: prefix).map { spec.key(names: [$0]) }
    }

    /// The entry of a concrete key.
    public subscript(key: String) -> ConfigurationEntry? { all.first { $0.key == key } }
}
