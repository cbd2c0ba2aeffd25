import Foundation

/// One tenant as the configuration names it, with references to its credentials (files and
/// variable names), never the secrets themselves.
public struct TenantConfiguration: Sendable, Hashable {
    /// An app registration's credential references.
    public struct Credentials: Sendable, Hashable {
        public var clientId: String
        public var clientSecretFile: String?
        /// The variable holding the secret: `clientSecretEnv`, or the key's own variable
        /// (`INBOXWATCH_TENANTS_<NAME>_CLIENT_SECRET`) when the secret comes from the environment.
        public var clientSecretEnv: String?
        public var certificateKeyFile: String?
        public var certificateThumbprint: String?
    }

    /// The name the file gives the tenant (`tenants.<name>`).
    public var name: String
    public var id: String
    public var collector: Credentials
    /// The action worker's app registration (write permissions); nil when it shares the collectors'.
    public var actions: Credentials?
    public var simulator: String?
    public var publisherIdentifier: String?
    public var mailDomains: [String]?
    public var mailGroups: [String]?
    public var reportMailbox: String?
}

extension ConfigurationLayers {
    /// The tenants the configuration names, in the file's order.
    public var tenants: [TenantConfiguration] {
        names(under: "tenants").map { name in
            let prefix = "tenants.\(name)"
            return TenantConfiguration(
                name: name, id: value("\(prefix).id")?.text ?? "", collector: credentials(prefix),
                actions: keys(under: "\(prefix).actions").isEmpty
                    && value("\(prefix).actions.clientSecret") == nil ? nil : credentials("\(prefix).actions"),
                simulator: value("\(prefix).simulator")?.text,
                publisherIdentifier: value("\(prefix).publisherIdentifier")?.text,
                mailDomains: value("\(prefix).mailDomains")?.items, mailGroups: value("\(prefix).mailGroups")?.items,
                reportMailbox: value("\(prefix).reportMailbox")?.text)
        }
    }

    private func credentials(_ prefix: String) -> TenantConfiguration.Credentials {
        let secretKey = "\(prefix).clientSecret"
        return TenantConfiguration.Credentials(
            clientId: value("\(prefix).clientId")?.text ?? "",
            clientSecretFile: value("\(prefix).clientSecretFile")?.text,
            clientSecretEnv: value("\(prefix).clientSecretEnv")?.text
                ?? (source(secretKey) == .environment ? InboxwatchSchema.environmentName(secretKey) : nil),
            certificateKeyFile: value("\(prefix).certificateKeyFile")?.text,
            certificateThumbprint: value("\(prefix).certificateThumbprint")?.text)
    }

    /// The SASL password from `kafka.saslPasswordFile`, `kafka.saslPasswordEnv` or
    /// `INBOXWATCH_KAFKA_SASL_PASSWORD`; nil when none is configured. Errors name where it
    /// looked, never the value.
    public func saslPassword() throws(ConfigProblemList) -> Secret? {
        if let file = value("kafka.saslPasswordFile")?.text {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else {
                throw ConfigProblemList([
                    ConfigProblem(key: "kafka.saslPasswordFile", message: "\(file) cannot be read or is empty")
                ])
            }
            return Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let name = value("kafka.saslPasswordEnv")?.text {
            guard let text = environment[name], !text.isEmpty else {
                throw ConfigProblemList([
                    ConfigProblem(
                        key: "kafka.saslPasswordEnv", message: "the environment variable \(name) is not set or empty")
                ])
            }
            return Secret(text)
        }
        if source("kafka.saslPassword") == .environment, let text = value("kafka.saslPassword")?.text, !text.isEmpty {
            return Secret(text)
        }
        return nil
    }
}

/// A credential read from a file or the environment: its description is `<secret>`, so it
/// cannot reach a log line or an error by accident.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The value, for the one place that needs it (a client library's property).
    public let revealed: String

    public init(_ value: String) { revealed = value }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
}
