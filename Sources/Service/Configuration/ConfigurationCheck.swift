import Foundation

/// Checks a layered configuration against `InboxwatchSchema` and names every problem: unknown keys
/// (with the nearest known key), wrong types, values out of range, missing keys, secrets written
/// into the file, and rules across keys (one credential per tenant, a signing key for auto-response).
///
/// Files the workers read (policies, tuning, keys) are checked by `fileValidators`, which the
/// command line supplies, since their parsers live in the worker modules.
public struct ConfigurationCheck: Sendable {
    /// Checks the file at a path; returns what is wrong with it, or nil.
    public typealias FileValidator = @Sendable (_ path: String) -> String?

    /// Validators by key pattern, such as `correlator.detectionTuning` or `actionWorker.trustedKeys.*`.
    public var fileValidators: [String: FileValidator]
    var fileExists: @Sendable (String) -> Bool

    public init(fileValidators: [String: FileValidator] = [:]) {
        self.fileValidators = fileValidators
        fileExists = { path in FileManager.default.isReadableFile(atPath: path) }
    }

    /// Every problem, in the order of the file's sections.
    public func problems(in layers: ConfigurationLayers) -> [ConfigProblem] {
        var problems = unknownKeys(layers) + secretsInFile(layers)
        for entry in ConfigurationEntries(layers).all where entry.source != .file || !entry.spec.isSecret {
            problems += valueProblems(entry, layers)
        }
        problems += crossKeyProblems(layers)
        var seen = Set<ConfigProblem>()
        return problems.filter { seen.insert($0).inserted }
    }

    private func unknownKeys(_ layers: ConfigurationLayers) -> [ConfigProblem] {
        (layers.file?.keys ?? []).compactMap { key in
            guard InboxwatchSchema.spec(for: key) == nil else { return nil }
            let parts = key.split(separator: ".").map(String.init)
            // Candidates carry the key's own names at `*` positions, so a typo in a tenant's
            // key is compared with that tenant's keys.
            let candidates = InboxwatchSchema.keys.map { spec in
                spec.key(names: zip(spec.segments, parts).filter { $0.0 == "*" }.map(\.1))
            }.map { $0.replacingOccurrences(of: ".**", with: "") }
            var message = "unknown key"
            if let near = closest(to: key, among: candidates) {
                message += "; did you mean \(near)?"
            } else {
                let sections = Set(InboxwatchSchema.keys.map { String($0.segments[0]) }).sorted()
                message += "; the sections are \(sections.joined(separator: ", ")) (deploy/config.example.yaml)"
            }
            return ConfigProblem(key: key, message: message)
        }
    }

    private func secretsInFile(_ layers: ConfigurationLayers) -> [ConfigProblem] {
        (layers.file?.keys ?? []).filter(ConfigFile.looksSecret).map { key in
            let instead: String
            if key.hasPrefix("kafka.") {
                instead =
                    "put the SASL password in a file (kafka.saslPasswordFile) or the environment (\(InboxwatchSchema.environmentName("kafka.saslPassword")))"
            } else if key.hasSuffix(".clientSecret") {
                let prefix = String(key.dropLast(".clientSecret".count))
                instead =
                    "put it in a file (\(prefix).clientSecretFile) or the environment (\(InboxwatchSchema.environmentName(key)))"
            } else {
                instead = "read it from a file or the environment (\(InboxwatchSchema.environmentName(key)))"
            }
            return ConfigProblem(key: key, message: "a secret is never read from the configuration file; \(instead)")
        }
    }

    private func valueProblems(_ entry: ConfigurationEntry, _ layers: ConfigurationLayers) -> [ConfigProblem] {
        guard let value = entry.value else {
            guard entry.spec.isRequired else { return [] }
            return [
                ConfigProblem(
                    key: entry.key,
                    message:
                        "missing; set \(entry.spec.kind.expectation) (or \(InboxwatchSchema.environmentName(entry.key)))"
                )
            ]
        }
        let shown = entry.spec.isSecret || ConfigFile.looksSecret(entry.key) ? "<secret>" : value.text
        if let problem = entry.spec.kind.problem(
            with: value, shown: shown, environment: layers.environment, fileExists: fileExists)
        {
            return [ConfigProblem(key: entry.key, message: problem)]
        }
        let validator = fileValidators[entry.key] ?? fileValidators[entry.spec.pattern]
        if let validator, let problem = validator(value.text) {
            return [ConfigProblem(key: entry.key, message: problem)]
        }
        return []
    }

    private func crossKeyProblems(_ layers: ConfigurationLayers) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for tenant in layers.names(under: "tenants") {
            let prefix = "tenants.\(tenant)"
            problems += credentialProblems(prefix, layers, who: "the collectors")
            if !layers.keys(under: "\(prefix).actions").isEmpty {
                problems += credentialProblems("\(prefix).actions", layers, who: "the action worker")
            }
        }
        let password = ["kafka.saslPasswordFile", "kafka.saslPasswordEnv", "kafka.saslPassword"].filter {
            layers.value($0) != nil
        }
        if password.count > 1 {
            problems.append(
                ConfigProblem(
                    key: "kafka.saslPasswordFile",
                    message:
                        "the SASL password is given \(password.count) ways (\(password.joined(separator: ", "))); keep one"
                ))
        }
        let security = layers.value("kafka.properties.security.protocol")?.text.uppercased() ?? ""
        let mechanism = layers.value("kafka.properties.sasl.mechanism")?.text.uppercased() ?? ""
        if security.hasPrefix("SASL"), mechanism == "PLAIN" || mechanism.hasPrefix("SCRAM"), password.isEmpty {
            problems.append(
                ConfigProblem(
                    key: "kafka.saslPasswordFile",
                    message:
                        "missing; \(security) with sasl.mechanism \(mechanism) needs a password: set kafka.saslPasswordFile, kafka.saslPasswordEnv or \(InboxwatchSchema.environmentName("kafka.saslPassword"))"
                ))
        }
        if layers.value("correlator.autoResponsePolicy") != nil, layers.value("correlator.signingKeyFile") == nil {
            problems.append(
                ConfigProblem(
                    key: "correlator.signingKeyFile",
                    message:
                        "missing; correlator.autoResponsePolicy requests commands and the action worker runs only signed ones (inboxwatch keys generate)"
                ))
        }
        let trusted = layers.names(under: "actionWorker.trustedKeys")
        if layers.value("actionWorker.policy") != nil, trusted.isEmpty {
            problems.append(
                ConfigProblem(
                    key: "actionWorker.trustedKeys",
                    message:
                        "missing; name at least one KEYID: FILE whose commands may run (the correlator's signingKeyId)")
            )
        }
        if !trusted.isEmpty, layers.value("actionWorker.policy") == nil {
            problems.append(
                ConfigProblem(key: "actionWorker.policy", message: "missing; the action worker needs a policy file"))
        }
        return problems
    }

    /// A tenant (or its action app) authenticates one way: a secret (file, variable or
    /// environment) or a certificate with its thumbprint.
    private func credentialProblems(_ prefix: String, _ layers: ConfigurationLayers, who: String) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if layers.value("\(prefix).clientId") == nil {
            problems.append(
                ConfigProblem(
                    key: "\(prefix).clientId",
                    message: "missing; the Application (client) ID of \(who)' app registration"))
        }
        let ways = ["clientSecretFile", "clientSecretEnv", "clientSecret", "certificateKeyFile"].filter {
            layers.value("\(prefix).\($0)") != nil
        }
        if ways.isEmpty {
            problems.append(
                ConfigProblem(
                    key: prefix,
                    message:
                        "no credential; set clientSecretFile, clientSecretEnv, \(InboxwatchSchema.environmentName("\(prefix).clientSecret")), or certificateKeyFile with certificateThumbprint"
                ))
        } else if ways.count > 1 {
            problems.append(
                ConfigProblem(
                    key: prefix,
                    message:
                        "both \(ways.joined(separator: " and ")) are set; keep exactly one credential (a secret or a certificate)"
                ))
        }
        let hasKey = layers.value("\(prefix).certificateKeyFile") != nil
        let hasThumbprint = layers.value("\(prefix).certificateThumbprint") != nil
        if hasKey && !hasThumbprint {
            problems.append(
                ConfigProblem(
                    key: "\(prefix).certificateThumbprint",
                    message: "missing; certificateKeyFile needs the certificate's thumbprint (40 hex digits)"))
        }
        if hasThumbprint && !hasKey {
            problems.append(
                ConfigProblem(
                    key: "\(prefix).certificateKeyFile",
                    message: "missing; certificateThumbprint needs the certificate's private key file (PEM)"))
        }
        return problems
    }
}
