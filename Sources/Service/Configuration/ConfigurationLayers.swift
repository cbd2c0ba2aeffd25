import Configuration
public import Foundation

/// The configuration as the workers see it: the file, then the environment, then flags, each
/// later layer winning (swift-configuration's `ConfigReader` asks its providers in that order).
///
/// Environment variables are `INBOXWATCH_` + the key in upper snake case: swift-configuration's
/// `EnvironmentVariablesProvider` turns `kafka.bootstrapServers` into `KAFKA_BOOTSTRAP_SERVERS`
/// (camelCase split at the word boundary, other characters `_`, lookup case-insensitive), and the
/// provider is prefixed with `inboxwatch`. Lists in the environment are comma-separated.
public struct ConfigurationLayers: Sendable {
    public let file: ConfigFile?
    public let environment: [String: String]
    private let flags: [String: ConfigRawValue]
    private let reader: ConfigReader
    private let layers: [(ConfigLayer, ConfigReader)]

    public init(
        file: ConfigFile?, environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: [String: ConfigRawValue] = [:]
    ) {
        self.file = file
        self.environment = environment
        self.flags = flags
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags {
            let content: ConfigContent =
                switch value {
                case .text(let text): .string(text)
                case .list(let items): .stringArray(items)
                }
            values[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(content, isSecret: ConfigFile.looksSecret(key))
        }
        let flagProvider = InMemoryProvider(name: "flags", values: values)
        // Only the variables of secret keys are secret: the rest may be shown, as a file's values are.
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .dynamic { name, _ in
                let upper = name.uppercased()
                return upper.hasSuffix("_CLIENT_SECRET") || upper.hasSuffix("_PASSWORD") || upper.contains("SECRET")
            }
        ).prefixKeys(with: ConfigKey("inboxwatch"))
        var providers: [any ConfigProvider] = [flagProvider, environmentProvider]
        var layers: [(ConfigLayer, ConfigReader)] = [
            (.flag, ConfigReader(provider: flagProvider)), (.environment, ConfigReader(provider: environmentProvider)),
        ]
        if let file {
            providers.append(file.provider)
            layers.append((.file, ConfigReader(provider: file.provider)))
        }
        reader = ConfigReader(providers: providers)
        self.layers = layers
    }

    /// The value of `key` from the highest layer that sets it.
    public func value(_ key: String) -> ConfigRawValue? {
        Self.read(key, from: reader)
    }

    /// The layer the value of `key` comes from.
    public func source(_ key: String) -> ConfigLayer? {
        layers.first { Self.read(key, from: $0.1) != nil }?.0
    }

    /// The names a file gives at a `*` position: `names(under: "tenants")` lists the tenants.
    public func names(under prefix: String) -> [String] {
        let depth = prefix.split(separator: ".").count
        var names: [String] = []
        for key in (file?.keys ?? []) + flags.keys.sorted() where key.hasPrefix(prefix + ".") {
            let parts = key.split(separator: ".")
            if parts.count > depth, !names.contains(String(parts[depth])) { names.append(String(parts[depth])) }
        }
        return names
    }

    /// Every key the file or the flags set below `prefix`, such as the librdkafka properties.
    public func keys(under prefix: String) -> [String] {
        Array(Set(((file?.keys ?? []) + flags.keys).filter { $0.hasPrefix(prefix + ".") })).sorted()
    }

    /// A key's value in whatever shape the provider holds it: YAML scalars are text; JSON numbers
    /// and booleans are read as such and turned back into text, so one checker serves both formats.
    static func read(_ key: String, from reader: ConfigReader) -> ConfigRawValue? {
        let configKey = ConfigKey(key)
        let secret = ConfigFile.looksSecret(key)
        if let text = reader.string(forKey: configKey, isSecret: secret) { return .text(text) }
        if let items = reader.stringArray(forKey: configKey, isSecret: secret) { return .list(items) }
        if let number = reader.int(forKey: configKey, isSecret: secret) { return .text(String(number)) }
        if let number = reader.double(forKey: configKey, isSecret: secret) { return .text(String(number)) }
        if let flag = reader.bool(forKey: configKey, isSecret: secret) { return .text(String(flag)) }
        if let numbers = reader.intArray(forKey: configKey, isSecret: secret) { return .list(numbers.map(String.init)) }
        return nil
    }
}
