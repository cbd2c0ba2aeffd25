public import Foundation
public import M365

/// One tenant a collector serves, with its own app credentials and its own API quota
/// (`PublisherIdentifier`). From flags for one tenant, or from `--tenants FILE` for several.
public struct TenantSettings: Sendable, Hashable, Decodable {
    public var tenantId: String
    public var clientId: String
    /// A file holding the client secret (a mounted secret); never the secret itself.
    public var clientSecretFile: String?
    /// The name of an environment variable holding the client secret.
    public var clientSecretEnv: String?
    /// A PEM file with the certificate's RSA private key, and its thumbprint (hex, as the portal shows it).
    public var certificateKeyFile: String?
    public var certificateThumbprint: String?
    /// `commercial` (default) or the base URL of a tenant simulator.
    public var endpoints: String?
    /// Defaults to the tenant id: every tenant gets its own throttling quota.
    public var publisherIdentifier: String?
    /// Mailboxes in scope for the mail collector: every user of these domains ...
    public var mailDomains: [String]?
    /// ... and the members of these groups (ids).
    public var mailGroups: [String]?
    /// The shared mailbox users forward suspicious mail to.
    public var reportMailbox: String?

    public init(
        tenantId: String, clientId: String, clientSecretFile: String? = nil, clientSecretEnv: String? = nil,
        certificateKeyFile: String? = nil, certificateThumbprint: String? = nil, endpoints: String? = nil,
        publisherIdentifier: String? = nil, mailDomains: [String]? = nil, mailGroups: [String]? = nil,
        reportMailbox: String? = nil
    ) {
        self.tenantId = tenantId
        self.clientId = clientId
        self.clientSecretFile = clientSecretFile
        self.clientSecretEnv = clientSecretEnv
        self.certificateKeyFile = certificateKeyFile
        self.certificateThumbprint = certificateThumbprint
        self.endpoints = endpoints
        self.publisherIdentifier = publisherIdentifier
        self.mailDomains = mailDomains
        self.mailGroups = mailGroups
        self.reportMailbox = reportMailbox
    }

    /// Every problem, naming the key and what would be right.
    public func problems(at path: String) -> [String] {
        var problems: [String] = []
        if UUID(uuidString: tenantId) == nil && !tenantId.contains(".") {
            problems.append("\(path).tenantId: \(tenantId) is neither a GUID nor a domain name")
        }
        if clientId.isEmpty {
            problems.append("\(path).clientId: missing; the app registration's Application (client) ID")
        }
        let secretWays = [clientSecretFile, clientSecretEnv, certificateKeyFile].compactMap { $0 }.count
        if secretWays != 1 {
            problems.append(
                "\(path): give exactly one credential: clientSecretFile, clientSecretEnv, or certificateKeyFile "
                    + "with certificateThumbprint (found \(secretWays))")
        }
        if certificateKeyFile != nil && certificateThumbprint == nil {
            problems.append("\(path).certificateThumbprint: needed with certificateKeyFile (40 hex digits)")
        }
        if let endpoints, endpoints != "commercial", URL(string: endpoints)?.scheme == nil {
            problems.append("\(path).endpoints: \(endpoints) is neither `commercial` nor a base URL")
        }
        return problems
    }

    public var m365Endpoints: M365Endpoints {
        guard let endpoints, endpoints != "commercial" else { return .commercial }
        return .simulator(baseURL: endpoints)
    }

    /// Reads the credential from its file or variable; the error names where it looked, never the value.
    public func identity(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CollectorError)
        -> AppIdentity
    {
        if let file = clientSecretFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw invalid("tenant \(tenantId): cannot read the client secret file \(file)")
            }
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw invalid("tenant \(tenantId): \(file) is empty") }
            return AppIdentity(clientId: clientId, credential: .secret(secret))
        }
        if let name = clientSecretEnv {
            guard let secret = environment[name], !secret.isEmpty else {
                throw invalid("tenant \(tenantId): environment variable \(name) is not set or empty")
            }
            return AppIdentity(clientId: clientId, credential: .secret(secret))
        }
        if let file = certificateKeyFile, let thumbprint = certificateThumbprint {
            guard let pem = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw invalid("tenant \(tenantId): cannot read the certificate key file \(file)")
            }
            guard let x5t = AppCredential.x5t(hexThumbprint: thumbprint) else {
                throw invalid(
                    "tenant \(tenantId): certificateThumbprint is not 40 hex digits (the portal's Thumbprint column)")
            }
            do {
                return AppIdentity(clientId: clientId, credential: try .certificate(pem: pem, thumbprint: x5t))
            } catch {
                throw invalid("tenant \(tenantId): \(file) is not an RSA private key in PEM: \(error)")
            }
        }
        throw invalid("tenant \(tenantId): no credential configured")
    }
}

/// `--tenants FILE`: `{"tenants": [ {tenantId, clientId, clientSecretFile, ...}, ... ]}`.
public struct TenantsFile: Decodable {
    public var tenants: [TenantSettings]

    public static func load(_ path: String) throws(CollectorError) -> [TenantSettings] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw invalid("--tenants \(path): cannot read the file")
        }
        let file: TenantsFile
        do {
            file = try JSONDecoder().decode(TenantsFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw invalid(
                "--tenants \(path): \(Self.path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw invalid("--tenants \(path): \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw invalid(
                "--tenants \(path): not a JSON object {\"tenants\": [...]}: \(error.localizedDescription)")
        }
        guard !file.tenants.isEmpty else { throw invalid("--tenants \(path): the tenants list is empty") }
        let problems = file.tenants.enumerated().flatMap { $1.problems(at: "tenants[\($0)]") }
        guard problems.isEmpty else {
            throw invalid("--tenants \(path):\n  " + problems.joined(separator: "\n  "))
        }
        return file.tenants
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
            in: CharacterSet(charactersIn: "."))
    }
}

private func invalid(_ message: String) -> CollectorError {
    CollectorError(code: .invalidConfiguration, message: message, isRetriable: false)
}
