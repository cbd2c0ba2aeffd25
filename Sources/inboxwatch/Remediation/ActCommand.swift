import Actions
import ArgumentParser
import Collector
import Events
import Foundation
import Logging
import M365
import Service

/// `inboxwatch act`: the action worker, the one component that changes tenants.
struct ActCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "act",
        abstract: "Run the action worker: carry out signed, allowed remediation commands through Graph.",
        discussion: """
            Reads inboxwatch.remediation.commands and writes an outcome for every command to \
            inboxwatch.remediation.outcomes. Runs only commands signed by a --trusted-key, for a tenant \
            of the --policy, allowed by it, and within its caps; dry run unless the policy says \
            "mode": "enforce". The credentials are those of the action app registration (write \
            permissions), not the collectors'.
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var tenant: TenantOptions
    @Option(
        help: "The action policy (JSON): mode, tenants, allowedActions, protected users and groups, caps, kill switch.")
    var policy: String?
    @Option(
        name: .customLong("trusted-key"),
        help:
            "KEYID=FILE: a public key (base64, as `inboxwatch keys generate` prints it) whose commands may run (repeatable)."
    )
    var trustedKeys: [KeyFileArgument] = []
    @Option(help: "The worker's consumer group.") var groupId: String = "inboxwatch.action-worker"
    @OptionGroup var observability: ObservabilityOptions
    @OptionGroup var common: CommonOptions

    mutating func validate() throws {
        try applyConfiguration()
        guard !trustedKeys.isEmpty else {
            throw ValidationError(
                "name at least one --trusted-key KEYID=FILE: the worker runs only commands signed by a trusted issuer")
        }
        _ = try loadPolicy()
        _ = try verifier()
    }

    func loadPolicy() throws -> ActionPolicy {
        guard let path = self.policy else {
            throw ValidationError(
                "--policy: missing; name the action policy file (or actionWorker.policy in --config FILE)")
        }
        do {
            let policy = try ActionPolicy(file: path)
            if policy.allowedActions.contains(.clearMailboxForwarding) {
                throw ValidationError(
                    "\(path): allowedActions: clearMailboxForwarding cannot be carried out yet (it needs the "
                        + "Exchange Online admin API, which Inboxwatch does not call): remove it and clear such "
                        + "forwarding by hand (Set-Mailbox -ForwardingSmtpAddress $null)")
            }
            return policy
        } catch let error as ActionPolicyError {
            throw ValidationError("--policy: " + error.description)
        }
    }

    func verifier() throws -> CommandVerifier {
        var keys: [String: String] = [:]
        for key in trustedKeys {
            guard let text = try? String(contentsOfFile: key.file, encoding: .utf8) else {
                throw ValidationError("--trusted-key \(key.id)=\(key.file): cannot read the file")
            }
            keys[key.id] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        do {
            return try CommandVerifier(trusted: keys)
        } catch {
            throw ValidationError("--trusted-key: \(error.message)")
        }
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.action-worker")
        let policy = try loadPolicy()
        var graphs: [String: GraphActions] = [:]
        for settings in try tenant.load(forActions: true) {
            let connection = try TenantConnection(settings: settings, logger: logger)
            // Throttling is waited out by the worker, which holds the whole mailbox, not inside a call.
            graphs[settings.tenantId.lowercased()] = GraphActions(
                tenantId: settings.tenantId, tokens: connection.tokens, http: connection.http,
                endpoints: settings.m365Endpoints, inlineRetryAfterLimit: .zero, logger: logger)
        }
        var settings = ActionWorkerSettings(
            kafka: kafka.configuration, catalog: kafka.catalog, groupID: groupId, policy: policy,
            verifier: try verifier(), graphs: graphs)
        settings.commitInterval = .seconds(1)
        let readiness = Readiness()
        settings.onReadiness = readiness.reporter("action-worker")
        let server = observability.server(readiness: readiness)
        let problems = settings.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        logger.notice(
            "action worker starting",
            metadata: [
                "mode": "\(policy.mode.rawValue)", "tenants": "\(policy.tenants.sorted())",
                "allowedActions": "\(policy.allowedActions.map(\.rawValue).sorted())",
                "trustedKeys": "\(trustedKeys.map(\.id))", "killSwitch": "\(policy.isKillSwitchEngaged())",
            ])
        let worker = ActionWorker(settings: settings, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            if let server { group.addTask { try await server.run() } }
            group.addTask {
                let signal = await waitForTerminationSignal()
                if signal != 0 { logger.notice("stopping on signal \(signal): finishing running calls") }
            }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

/// `KEYID=FILE`.
struct KeyFileArgument: ExpressibleByArgument, Sendable {
    var id: String
    var file: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        id = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
        file = String(argument[argument.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, !file.isEmpty else { return nil }
    }
}

extension RemediationCommand.Action {
    /// The action as the command line spells it: `revoke-sessions`.
    var argumentName: String {
        rawValue.reduce(into: "") { text, character in
            if character.isUppercase { text += "-" + character.lowercased() } else { text.append(character) }
        }
    }

    init?(argumentName: String) {
        guard let action = Self.allCases.first(where: { $0.argumentName == argumentName.lowercased() }) else {
            return nil
        }
        self = action
    }
}
