public import Configuration
public import Foundation
import Synchronization

/// A configuration file (YAML or JSON) read through swift-configuration, with the keys it holds.
///
/// swift-configuration looks keys up but cannot list them; the file's keys are needed to name
/// unknown keys and to find the tenants it defines, so they are recorded while the snapshot parses
/// (the parser asks the secrets specifier about every key it stores). Secret-looking keys are
/// marked secret there, so swift-configuration never shows their values either.
public struct ConfigFile: Sendable {
    public enum Format: String, Sendable { case yaml, json }

    public let path: String
    public let format: Format
    /// Every key the file sets, dotted (`tenants.contoso.clientId`), sorted.
    public let keys: [String]
    /// The file as a swift-configuration provider.
    public let provider: any ConfigProvider

    /// Reads and parses `path`; YAML unless it ends in `.json` or starts with `{`.
    public init(path: String) throws(ConfigProblemList) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigProblemList([
                ConfigProblem(key: path, message: "cannot read the file; check the path and its permissions")
            ])
        }
        try self.init(path: path, data: data)
    }

    public init(path: String, data: Data) throws(ConfigProblemList) {
        self.path = path
        let head = String(decoding: data.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        format = path.lowercased().hasSuffix(".json") || head.hasPrefix("{") ? .json : .yaml
        let seen = KeyRecorder()
        let secret: @Sendable (String) -> Bool = { key in
            seen.record(key)
            return ConfigFile.looksSecret(key)
        }
        let snapshot: any ConfigSnapshot
        do {
            switch format {
            case .json:
                snapshot = try data.withUnsafeBytes { buffer throws in
                    try JSONSnapshot(
                        data: buffer.bytes, providerName: "file \(path)",
                        parsingOptions: .init(secretsSpecifier: .dynamic { key, _ in secret(key) }))
                }
            case .yaml:
                snapshot = try data.withUnsafeBytes { buffer throws in
                    try YAMLSnapshot(
                        data: buffer.bytes, providerName: "file \(path)",
                        parsingOptions: .init(secretsSpecifier: .dynamic { key, _ in secret(key) }))
                }
            }
        } catch {
            throw ConfigProblemList([ConfigFile.parseProblem(path: path, format: format, error: error)])
        }
        keys = seen.keys.sorted()
        provider = SnapshotProvider(snapshot: snapshot)
    }

    /// Keys whose values are credentials: never shown, and refused in a file.
    public static func looksSecret(_ key: String) -> Bool {
        if let spec = InboxwatchSchema.spec(for: key), spec.isSecret { return true }
        guard key.hasPrefix("kafka.properties.") else { return false }
        let property = key.dropFirst("kafka.properties.".count).lowercased()
        // An endpoint's address is not a credential (sasl.oauthbearer.token.endpoint.url).
        if property.hasSuffix(".url") { return false }
        return property.contains("password") || property.contains("secret") || property.contains("token")
            || property.hasSuffix("key.pem") || property.hasSuffix("jaas.config")
            || property.contains("sasl.oauthbearer.config")
    }

    /// Turns a parser's complaint into a problem that says what to write instead.
    static func parseProblem(path: String, format: Format, error: any Error) -> ConfigProblem {
        let text = String(describing: error)
        if text.contains("array at") || text.contains("non-scalar") || text.contains("Unsupported primitive") {
            return ConfigProblem(
                key: path,
                message:
                    "a list of objects is not supported (\(text)); name each entry instead, "
                    + "e.g. tenants: {contoso: {id: ..., clientId: ...}}")
        }
        if text.contains("top-level") || text.contains("Top level") {
            return ConfigProblem(key: path, message: "the top level must be a mapping of keys (kafka:, tenants:, ...)")
        }
        return ConfigProblem(key: path, message: "is not valid \(format.rawValue.uppercased()): \(text)")
    }
}

/// Collects the keys a snapshot stores, from the parser's calls.
private final class KeyRecorder: Sendable {
    private let seen = Mutex<Set<String>>([])
    func record(_ key: String) { _ = seen.withLock { $0.insert(key) } }
    var keys: Set<String> { seen.withLock { $0 } }
}

/// A fixed snapshot served as a provider: the file is read once, when the worker starts.
struct SnapshotProvider: ConfigProvider {
    let fixed: any ConfigSnapshot

    init(snapshot: any ConfigSnapshot) { fixed = snapshot }

    var providerName: String { fixed.providerName }

    func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try fixed.value(forKey: key, type: type)
    }

    nonisolated(nonsending) func fetchValue(forKey key: AbsoluteConfigKey, type: ConfigType) async throws
        -> LookupResult
    {
        try value(forKey: key, type: type)
    }

    nonisolated(nonsending) func watchValue<Return: ~Copyable>(
        forKey key: AbsoluteConfigKey, type: ConfigType,
        updatesHandler:
            nonisolated(nonsending) (ConfigUpdatesAsyncSequence<Result<LookupResult, any Error>, Never>) async throws ->
            Return
    ) async throws -> Return {
        try await watchValueFromValue(forKey: key, type: type, updatesHandler: updatesHandler)
    }

    func snapshot() -> any ConfigSnapshot { fixed }

    nonisolated(nonsending) func watchSnapshot<Return: ~Copyable>(
        updatesHandler:
            nonisolated(nonsending) (ConfigUpdatesAsyncSequence<any ConfigSnapshot, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchSnapshotFromSnapshot(updatesHandler: updatesHandler)
    }
}

/// Every problem found, thrown together.
public struct ConfigProblemList: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
