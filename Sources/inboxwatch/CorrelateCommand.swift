import ArgumentParser
import Correlation
import Events
import Foundation
import Kafka
import Logging
import Service

/// `inboxwatch correlate`: a correlator instance in the correlator group.
struct CorrelateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Join raw audit and mail events per user into stories.",
        discussion: """
            Reads inboxwatch.raw.audit and inboxwatch.raw.mail as a member of the correlator group \
            (run more instances with the same --group-id to spread users across them), puts each \
            partition's events in event-time order within --grace, keeps per-user state, and writes \
            story events to inboxwatch.stories and OCSF findings to inboxwatch.findings.ocsf. State \
            is checkpointed to inboxwatch.correlator.state every --checkpoint-interval and restored \
            when a partition is assigned, so a restart or rebalance replays only since the last \
            checkpoint and writes the same story events again (same ce_id). Every instance also \
            reads inboxwatch.remediation.commands, inboxwatch.remediation.outcomes and \
            inboxwatch.story.verdicts and records them on their stories, and shares the mailboxes \
            it sees forwarding outside through inboxwatch.correlator.forwarding (forwarding fan-in \
            spans users). --detection-tuning tunes the detections per tenant. With \
            --auto-response-policy it asks for remediations itself, signed with --signing-key; with \
            --transactional-id each checkpoint period is one Kafka transaction. Stops cleanly on \
            SIGINT/SIGTERM after a last checkpoint.
            """)

    @OptionGroup var kafka: KafkaOptions
    @Option(help: "Consumer group of the correlator instances.") var groupId: String = "inboxwatch-correlator"
    @Option(help: "How late behind the slower feed a record may arrive and still be put in order.")
    var grace: IntervalArgument = .init(seconds: 30 * 60)
    @Option(help: "A feed silent this long stops holding the other back.")
    var idleAfter: IntervalArgument = .init(seconds: 5)
    @Option(help: "Time between checkpoints: what a crash replays at most.")
    var checkpointInterval: IntervalArgument = .init(seconds: 5)
    @Option(
        help: "How long events wait for their tenant's accepted-domain list before the user's own domain stands in.")
    var contextWait: IntervalArgument = .init(seconds: 300)
    @Option(
        name: .customLong("accepted-domain"),
        help: "TENANT=DOMAIN: a domain of the tenant counted as internal, besides those the tenant lists (repeatable).")
    var acceptedDomains: [TenantValueArgument] = []
    @Option(
        name: .customLong("vip"), help: "TENANT=UPN: a user whose stories are one level more critical (repeatable).")
    var vips: [TenantValueArgument] = []
    @Option(
        name: .customLong("allow-external-domain"),
        help: "A partner domain that may receive forwarded mail without a story (repeatable).")
    var allowedExternalDomains: [String] = []
    @Option(help: "Window after a suspicious sign-in in which phishing makes a login-then-phish story.")
    var loginThenPhishWindow: IntervalArgument?
    @Option(
        help: ArgumentHelp(
            "A JSON file tuning the detections, for all tenants and per tenant (docs/detections.md lists the keys).",
            discussion:
                #"{"defaults": {"allowedExternalDomains": [...], "suppressions": [{"detection", "user", "reason", "expires"}]}, "tenants": {"<id>": {...}}}"#
        ))
    var detectionTuning: String?
    @Option(
        help: ArgumentHelp(
            "A JSON auto-response policy: which stories get which remediations without an analyst (off by default).",
            discussion: #"{"rules": [{"name", "detections", "minimumCriticality", "actions", "dryRun"}]}"#))
    var autoResponsePolicy: String?
    @Option(help: "File with the Ed25519 private key that signs auto-response commands (`inboxwatch keys generate`).")
    var signingKey: String?
    @Option(help: "The signing key's id, which the action worker's trusted keys name.")
    var signingKeyId: String = "inboxwatch-correlator"
    @Option(help: "How long an auto-response command stays valid.")
    var commandLifetime: IntervalArgument = .init(seconds: 3600)
    @Option(
        help:
            "Write in Kafka transactions with this id (real Kafka 2.5+): unique per instance, stable across its restarts."
    )
    var transactionalId: String?
    @OptionGroup var observability: ObservabilityOptions
    @OptionGroup var common: CommonOptions

    mutating func validate() throws {
        try applyConfiguration()
        guard grace.seconds > 0, idleAfter.seconds > 0, checkpointInterval.seconds > 0 else {
            throw ValidationError("--grace, --idle-after and --checkpoint-interval must be longer than zero")
        }
        for domain in allowedExternalDomains where !domain.contains(".") || domain.contains("@") {
            throw ValidationError("--allow-external-domain \(domain) is not a domain name such as partner.example")
        }
        // A tuning file with a mistake fails here, before anything connects.
        _ = try tuning()
        if autoResponsePolicy != nil && signingKey == nil {
            throw ValidationError(
                "--auto-response-policy requests commands, and the action worker runs only signed ones: add --signing-key FILE"
            )
        }
    }

    /// The policy and signing key, read and checked: every problem says which file and what to fix.
    func response() throws -> (AutoResponsePolicy, CommandSigner?) {
        var policy = AutoResponsePolicy.off
        if let autoResponsePolicy {
            do {
                policy = try AutoResponsePolicy(file: autoResponsePolicy)
            } catch {
                throw ValidationError(error.description)
            }
        }
        var signer: CommandSigner?
        if let signingKey {
            do {
                signer = try CommandSigner(keyId: signingKeyId, file: signingKey)
            } catch {
                throw ValidationError("--signing-key: \(error.message)")
            }
        }
        return (policy, signer)
    }

    /// The tuning file, read and checked, with the command line's own tuning flags over its defaults.
    func tuning() throws -> DetectionTuning {
        var tuning = DetectionTuning()
        if let detectionTuning {
            do {
                tuning = try DetectionTuning(file: detectionTuning)
            } catch {
                throw ValidationError("--detection-tuning:\n" + error.description)
            }
        }
        func flags(_ configuration: inout DetectionConfiguration) {
            if let loginThenPhishWindow { configuration.loginThenPhishWindow = loginThenPhishWindow.duration }
            configuration.allowedExternalDomains.formUnion(allowedExternalDomains.map { $0.lowercased() })
        }
        flags(&tuning.defaults)
        for tenant in tuning.tenants.keys { flags(&tuning.tenants[tenant]!) }
        return tuning
    }

    func settings(
        policy: AutoResponsePolicy = .off, signer: CommandSigner? = nil, tuning: DetectionTuning = DetectionTuning()
    ) -> CorrelatorSettings {
        var tenants: [String: Correlation.TenantContext] = [:]
        for entry in acceptedDomains {
            var context = tenants[entry.tenant] ?? Correlation.TenantContext()
            context.acceptedDomains.insert(entry.value)
            tenants[entry.tenant] = context
        }
        for entry in vips {
            var context = tenants[entry.tenant] ?? Correlation.TenantContext()
            context.vipUsers.insert(entry.value)
            tenants[entry.tenant] = context
        }
        var settings = CorrelatorSettings(
            kafka: kafka.configuration, catalog: kafka.catalog, groupID: groupId,
            checkpointInterval: checkpointInterval.duration,
            engine: CorrelatorConfiguration(
                grace: grace.duration, idleAfter: idleAfter.duration, contextWait: contextWait.duration,
                detection: tuning.defaults, tenants: tenants, tenantDetection: tuning.tenants, autoResponse: policy),
            commandSigner: signer, transactionalID: transactionalId)
        settings.commandLifetime = commandLifetime.duration
        return settings
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.correlator")
        let (policy, signer) = try response()
        let tuning = try tuning()
        var settings = settings(policy: policy, signer: signer, tuning: tuning)
        let readiness = Readiness()
        settings.onReadiness = readiness.reporter("correlator")
        let server = observability.server(readiness: readiness)
        for expired in tuning.expiredSuppressions(at: Date()) {
            logger.warning(
                "a suppression has expired and no longer applies; remove it from the tuning file: \(expired)")
        }
        if !policy.isOff {
            logger.notice(
                "auto-response on",
                metadata: [
                    "rules": "\(policy.rules.map(\.name))", "signingKeyId": "\(signingKeyId)",
                    "publicKey": "\(signer?.publicKeyBase64 ?? "")",
                ])
        }
        let correlator = Correlator(settings: settings, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await correlator.run() }
            if let server { group.addTask { try await server.run() } }
            group.addTask {
                let signal = await waitForTerminationSignal()
                if signal != 0 { logger.notice("stopping on signal \(signal): checkpointing") }
            }
            // Whichever ends first (a signal, or the correlator failing) stops the other.
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

/// `TENANT=VALUE`, the tenant lower-cased.
struct TenantValueArgument: ExpressibleByArgument, Sendable {
    var tenant: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        tenant = argument[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
        value = argument[argument.index(after: equals)...].trimmingCharacters(in: .whitespaces).lowercased()
        guard !tenant.isEmpty, !value.isEmpty else { return nil }
    }
}
