import ArgumentParser
import Collector
import Foundation
import Service

/// The configuration a worker command runs with: the file of `--config FILE` (or
/// `INBOXWATCH_CONFIG`), then `INBOXWATCH_*` environment variables, then the command-line flags.
///
/// Option groups are decoded and validated before their command, so each reads this shared,
/// once-loaded value in its own `validate()` and fills the options whose flag was not given.
/// A file with any problem stops the worker at start, listing every problem.
struct WorkerConfiguration: Sendable {
    let layers: ConfigurationLayers
    /// Long flag names given on the command line (`group-id`), which win over the configuration.
    let givenFlags: Set<String>

    static let current: Result<WorkerConfiguration, ValidationError> = load(
        arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment)

    static func load(arguments: [String], environment: [String: String]) -> Result<Self, ValidationError> {
        var given = Set<String>()
        var values: [String: String] = [:]
        var path = environment["INBOXWATCH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var index = 1
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                let name = String(argument.dropFirst(2).prefix { $0 != "=" })
                given.insert(name)
                if let equals = argument.firstIndex(of: "=") {
                    values[name] = String(argument[argument.index(after: equals)...])
                } else if index + 1 < arguments.count {
                    values[name] = arguments[index + 1]
                }
                if name == "config" { path = values[name] }
            }
            index += 1
        }
        var file: ConfigFile?
        if let path {
            do {
                file = try ConfigFile(path: path)
            } catch {
                return .failure(Self.failure(path, error.problems))
            }
        }
        var flags: [String: ConfigRawValue] = [:]
        // The one key every worker requires may come from its flag; other flags are checked by the parser.
        if let servers = values["bootstrap-servers"] { flags["kafka.bootstrapServers"] = .text(servers) }
        let layers = ConfigurationLayers(file: file, environment: environment, flags: flags)
        if let path {
            let problems = ConfigurationCheck(fileValidators: WorkerFileValidators.all).problems(in: layers)
            guard problems.isEmpty else { return .failure(Self.failure(path, problems)) }
        }
        return .success(WorkerConfiguration(layers: layers, givenFlags: given))
    }

    static func failure(_ path: String, _ problems: [ConfigProblem]) -> ValidationError {
        ValidationError(
            "the configuration \(path) has \(problems.count) problem(s); fix them (inboxwatch config check \(path)):\n  "
                + problems.map(\.description).joined(separator: "\n  "))
    }

    /// The loaded configuration, or the error listing every problem of its file.
    static func get() throws -> WorkerConfiguration {
        try current.get()
    }

    /// The configured value of `key` when `--flag` was not given, from the environment or the file.
    private func configured(_ key: String, flag: String) -> (ConfigRawValue, String)? {
        guard !givenFlags.contains(flag), let value = layers.value(key), let source = layers.source(key),
            source != .flag
        else { return nil }
        let origin = source == .environment ? InboxwatchSchema.environmentName(key) : "\(key) in the configuration file"
        return (value, origin)
    }

    private func convert<T: ExpressibleByArgument>(_ text: String, origin: String, flag: String) throws -> T {
        guard let value = T(argument: text) else {
            throw ValidationError("\(origin): \"\(text)\" is not a valid value for --\(flag)")
        }
        return value
    }

    func apply<T: ExpressibleByArgument>(_ field: inout T, _ key: String, flag: String) throws {
        guard let (value, origin) = configured(key, flag: flag) else { return }
        field = try convert(value.text, origin: origin, flag: flag)
    }

    func apply<T: ExpressibleByArgument>(_ field: inout T?, _ key: String, flag: String) throws {
        guard let (value, origin) = configured(key, flag: flag) else { return }
        field = try convert(value.text, origin: origin, flag: flag) as T
    }

    func apply<T: ExpressibleByArgument>(_ field: inout [T], _ key: String, flag: String) throws {
        guard let (value, origin) = configured(key, flag: flag) else { return }
        field = try value.items.map { try convert($0, origin: origin, flag: flag) }
    }

    /// `NAME=VALUE` pairs from the keys below `prefix` (trusted keys, librdkafka properties), unless `--flag` was given (nil: each pair yields to a flag of the same name).
    func pairs(under prefix: String, flag: String?) -> [String] {
        if let flag, givenFlags.contains(flag) { return [] }
        return layers.keys(under: prefix).compactMap { key in
            layers.value(key).map { "\(key.dropFirst(prefix.count + 1))=\($0.text)" }
        }
    }

    /// The configured tenants as the collectors and the action worker take them.
    func tenantSettings(forActions: Bool) -> [TenantSettings] {
        layers.tenants.map { tenant in
            let credentials = forActions ? tenant.actions ?? tenant.collector : tenant.collector
            return TenantSettings(
                tenantId: tenant.id, clientId: credentials.clientId, clientSecretFile: credentials.clientSecretFile,
                clientSecretEnv: credentials.clientSecretEnv, certificateKeyFile: credentials.certificateKeyFile,
                certificateThumbprint: credentials.certificateThumbprint, endpoints: tenant.simulator,
                publisherIdentifier: tenant.publisherIdentifier, mailDomains: tenant.mailDomains,
                mailGroups: tenant.mailGroups, reportMailbox: tenant.reportMailbox)
        }
    }
}
