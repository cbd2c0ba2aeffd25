/// The one configuration schema every worker reads; `deploy/config.example.yaml` documents each key.
///
/// Each key mirrors a command-line flag of the worker that reads it (the flag wins over the file
/// and the environment), and its environment variable is `INBOXWATCH_` + the key path in upper
/// snake case (`kafka.bootstrapServers` is `INBOXWATCH_KAFKA_BOOTSTRAP_SERVERS`).
public enum InboxwatchSchema {
    static let day = 86400.0
    static let contentTypes = [
        "Audit.Exchange", "Audit.AzureActiveDirectory", "Audit.General", "Audit.SharePoint", "DLP.All",
    ]

    /// Credential keys of an app registration, under `prefix` (a tenant, or its action app).
    static func credentials(_ prefix: String, for whom: String) -> [ConfigKeySpec] {
        [
            ConfigKeySpec("\(prefix).clientId", .text, "\(whom): the app registration's Application (client) ID"),
            ConfigKeySpec("\(prefix).clientSecretFile", .file, "\(whom): a file holding the client secret"),
            ConfigKeySpec(
                "\(prefix).clientSecretEnv", .environmentVariable,
                "\(whom): the environment variable holding the client secret"),
            ConfigKeySpec(
                "\(prefix).clientSecret", .secret, secret: true,
                "\(whom): the client secret itself, from the environment only"),
            ConfigKeySpec(
                "\(prefix).certificateKeyFile", .file, "\(whom): a PEM file with the certificate's RSA private key"),
            ConfigKeySpec("\(prefix).certificateThumbprint", .thumbprint, "\(whom): the certificate's thumbprint"),
        ]
    }

    /// Every key.
    public static let keys: [ConfigKeySpec] =
        [
            // Kafka, for every worker.
            ConfigKeySpec(
                "kafka.bootstrapServers", .hostPorts, required: true, "the Kafka cluster's bootstrap servers"),
            ConfigKeySpec("kafka.topicPrefix", .text, default: "inboxwatch", "prefix of the topic names"),
            ConfigKeySpec("kafka.properties.**", .text, "a librdkafka property (security.protocol, sasl.*, ssl.*)"),
            ConfigKeySpec("kafka.saslPasswordFile", .file, "a file holding the SASL password"),
            ConfigKeySpec(
                "kafka.propertyFiles.**", .file,
                "a file holding the value of that librdkafka property (sasl.oauthbearer.client.secret, ssl.key.password)"
            ),
            ConfigKeySpec(
                "kafka.saslPasswordEnv", .environmentVariable, "the environment variable holding the SASL password"),
            ConfigKeySpec(
                "kafka.saslPassword", .secret, secret: true, "the SASL password itself, from the environment only"),
            // Tenants, for the collectors and the action worker.
            ConfigKeySpec("tenants.*.id", .tenantId, required: true, "the tenant (directory) id"),
        ] + credentials("tenants.*", for: "collectors")
        + [
            ConfigKeySpec(
                "tenants.*.simulator", .url, "talk to a tenant simulator at this base URL instead of Microsoft"),
            ConfigKeySpec(
                "tenants.*.publisherIdentifier", .text, "PublisherIdentifier for the Management API quota"),
            ConfigKeySpec("tenants.*.mailDomains", .domainList, "the mail collector reads these domains' mailboxes"),
            ConfigKeySpec("tenants.*.mailGroups", .list, "... and the mailboxes of these groups' members (ids)"),
            ConfigKeySpec(
                "tenants.*.reportMailbox", .text, "the shared mailbox users forward suspicious mail to"),
        ] + credentials("tenants.*.actions", for: "action worker")
        + [
            // Collectors.
            ConfigKeySpec(
                "collector.pollInterval", .duration(minimumSeconds: 1, maximumSeconds: day), default: "60s",
                "pause between cycles once caught up"),
            ConfigKeySpec(
                "collector.dedupeHorizon", .duration(minimumSeconds: 60, maximumSeconds: 30 * day), default: "1d",
                "how long a published id is remembered to skip its repeats"),
            ConfigKeySpec(
                "collector.leaseTimeout", .duration(minimumSeconds: 1, maximumSeconds: 3600), default: "10s",
                "how long a crashed collector keeps its lease"),
            ConfigKeySpec(
                "collector.audit.contentTypes", .listOf(contentTypes), default: contentTypes.joined(separator: ","),
                "Management Activity API content types"),
            ConfigKeySpec("collector.audit.since", .since(maximumDays: 7), "backfill from this time or interval"),
            ConfigKeySpec(
                "collector.audit.overlap", .duration(minimumSeconds: 0, maximumSeconds: 7 * day), default: "4h",
                "trailing window re-listed each cycle for late content"),
            ConfigKeySpec(
                "collector.audit.window", .duration(minimumSeconds: 60, maximumSeconds: day), default: "1h",
                "longest content window listed at once"),
            ConfigKeySpec(
                "collector.audit.blobConcurrency", .integer(1...64), default: "4", "blobs fetched at once"),
            ConfigKeySpec("collector.mail.since", .since(maximumDays: 30), "backfill from this time or interval"),
            ConfigKeySpec(
                "collector.mail.overlap", .duration(minimumSeconds: 0, maximumSeconds: 7 * day), default: "1h",
                "trailing window re-listed each cycle for late sign-ins and alerts"),
            ConfigKeySpec(
                "collector.mail.mailboxConcurrency", .integer(1...64), default: "4", "mailboxes read at once"),
            // Correlator.
            ConfigKeySpec(
                "correlator.groupId", .text, default: "inboxwatch-correlator", "consumer group of the correlators"),
            ConfigKeySpec(
                "correlator.grace", .duration(minimumSeconds: 0.001, maximumSeconds: 7 * day), default: "30m",
                "how late a record may arrive and still be put in order"),
            ConfigKeySpec(
                "correlator.idleAfter", .duration(minimumSeconds: 0.001, maximumSeconds: day), default: "5s",
                "a feed silent this long stops holding the other back"),
            ConfigKeySpec(
                "correlator.checkpointInterval", .duration(minimumSeconds: 0.001, maximumSeconds: 3600),
                default: "5s", "time between checkpoints"),
            ConfigKeySpec(
                "correlator.contextWait", .duration(minimumSeconds: 0, maximumSeconds: day), default: "5m",
                "how long events wait for their tenant's accepted domains"),
            ConfigKeySpec(
                "correlator.acceptedDomains", .tenantValueList, "TENANT=DOMAIN: more domains counted as internal"),
            ConfigKeySpec("correlator.vips", .tenantValueList, "TENANT=UPN: users whose stories are more critical"),
            ConfigKeySpec(
                "correlator.allowExternalDomains", .domainList, "partner domains that may receive forwarded mail"),
            ConfigKeySpec(
                "correlator.loginThenPhishWindow", .duration(minimumSeconds: 1, maximumSeconds: 30 * day),
                "window after a suspicious sign-in in which phishing makes a story"),
            ConfigKeySpec("correlator.detectionTuning", .file, "a JSON file tuning the detections"),
            ConfigKeySpec("correlator.autoResponsePolicy", .file, "a JSON auto-response policy (off when unset)"),
            ConfigKeySpec("correlator.signingKeyFile", .file, "the Ed25519 private key that signs auto-responses"),
            ConfigKeySpec(
                "correlator.signingKeyId", .text, default: "inboxwatch-correlator",
                "the signing key's id, as the action worker's trustedKeys name it"),
            ConfigKeySpec(
                "correlator.commandLifetime", .duration(minimumSeconds: 1, maximumSeconds: 7 * day), default: "1h",
                "how long an auto-response command stays valid"),
            ConfigKeySpec(
                "correlator.transactionalId", .text, "write in Kafka transactions with this id (unique per instance)"),
            // Action worker.
            ConfigKeySpec("actionWorker.policy", .file, "the action policy (JSON)"),
            ConfigKeySpec("actionWorker.trustedKeys.*", .file, "KEYID: file of a public key whose commands may run"),
            ConfigKeySpec(
                "actionWorker.groupId", .text, default: "inboxwatch.action-worker", "the action worker's group"),
            // Logging and metrics, for every worker.
            ConfigKeySpec(
                "logging.format", .oneOf(["json", "logfmt", "text"]),
                "log line format (default: logfmt on a terminal, json otherwise)"),
            ConfigKeySpec("logging.level", .logLevel, default: "info", "log level"),
            ConfigKeySpec(
                "logging.levels.**", .logLevel,
                "log level of one component (a logger label such as inboxwatch.correlator)"),
            ConfigKeySpec("metrics.port", .integer(0...65535), "port of /metrics, /healthz and /readyz (0: off)"),
        ]

    /// The spec a concrete key is an instance of, if any.
    public static func spec(for key: String) -> ConfigKeySpec? {
        keys.first { $0.matches(key) }
    }

    /// `INBOXWATCH_` + the key path in upper snake case, as swift-configuration's
    /// `EnvironmentVariablesProvider` encodes it (camelCase words split, other characters `_`).
    public static func environmentName(_ key: String) -> String {
        let components = (["inboxwatch"] + key.split(separator: ".").map(String.init)).map { component in
            var out = ""
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase, character.isUppercase { out.append("_") }
                out.append(character)
                previous = character
            }
            return String(out.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        }
        return components.joined(separator: "_")
    }
}
