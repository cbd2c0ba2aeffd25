import Actions
import ArgumentParser
import Events
import Foundation
import Logging

/// `inboxwatch remediate`: an analyst's command, signed with their key, published, and followed
/// to its outcome; or the approval of a held command.
struct RemediateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remediate",
        abstract: "Sign and publish a remediation command (or approve a held one) and wait for its outcome.",
        discussion: """
            Examples:
              inboxwatch remediate --bootstrap-servers B --tenant T --user x@contoso.com \
            --action revoke-sessions --story STORY --signing-key me.key --key-id analyst-sam --analyst sam@contoso.com
              inboxwatch remediate --bootstrap-servers B --approve COMMAND --signing-key me.key --key-id analyst-sam \
            --analyst sam@contoso.com
            Actions: \(RemediationCommand.Action.allCases.filter(\.changesTenant).map(\.argumentName).joined(separator: ", ")).
            Exit status: 0 succeeded or dry run, 3 held for approval, 4 no outcome within --timeout, 1 otherwise.
            """)

    @OptionGroup var kafka: KafkaOptions
    @Option(help: "The tenant id.") var tenant: String?
    @Option(help: "The target user (UPN or object id).") var user: String?
    @Option(help: "The action, e.g. revoke-sessions.") var action: String?
    @Option(help: "The story this remediates.") var story: String?
    @Option(help: "The message (for move-message-to-junk, delete-message).") var messageId: String?
    @Option(help: "The inbox rule (for remove-inbox-rule).") var ruleId: String?
    @Option(help: "Approve this held command (instead of --action).") var approve: String?
    @Option(help: "Why: recorded on the command and the story.") var reason: String = "requested by an analyst"
    @Flag(help: "Ask for a dry run: the worker reports what it would do.") var dryRun = false
    @Option(help: "File with your Ed25519 private key (`inboxwatch keys generate`).") var signingKey: String
    @Option(help: "Your key's id, as the action worker's --trusted-key names it.") var keyId: String
    @Option(help: "Your identity, recorded as the requester.") var analyst: String
    @Option(help: "How long the command stays valid.") var lifetime: IntervalArgument = .init(seconds: 3600)
    @Flag(help: "Publish and return without waiting for the outcome.") var noWait = false
    @Option(help: "How long to wait for the outcome.") var timeout: IntervalArgument = .init(seconds: 120)
    @Flag(help: "Print the outcome as JSON.") var json = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if approve != nil {
            guard action == nil else { throw ValidationError("give either --action or --approve, not both") }
        } else {
            guard let action else { throw ValidationError("name the --action (or --approve a held command)") }
            guard let parsed = RemediationCommand.Action(argumentName: action), parsed.changesTenant else {
                throw ValidationError(
                    "--action \(action) is not one of "
                        + RemediationCommand.Action.allCases.filter(\.changesTenant).map(\.argumentName).joined(
                            separator: ", "))
            }
            guard tenant != nil, user != nil else { throw ValidationError("name the --tenant and the target --user") }
            if [.moveMessageToJunk, .deleteMessage].contains(parsed), messageId == nil {
                throw ValidationError("--action \(action) needs --message-id")
            }
            if parsed == .removeInboxRule, ruleId == nil { throw ValidationError("--action \(action) needs --rule-id") }
        }
        guard lifetime.seconds >= 60 else { throw ValidationError("--lifetime must be at least 1m") }
        _ = try signer()
    }

    func signer() throws -> CommandSigner {
        do {
            return try CommandSigner(keyId: keyId, file: signingKey)
        } catch {
            throw ValidationError("--signing-key: \(error.message)")
        }
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.remediate")
        let client = RemediationClient(kafka: kafka.configuration, catalog: kafka.catalog, logger: logger)
        let unsigned: RemediationCommand
        if let approve {
            let outcomes = try await client.outcomes()
            guard let held = outcomes[TopicKeys.outcome(commandID: approve)] else {
                throw ValidationError("command \(approve) has no outcome yet: nothing to approve")
            }
            guard held.status == .held, let command = held.heldCommand else {
                throw ValidationError("command \(approve) is \(held.status.rawValue), not held: nothing to approve")
            }
            unsigned = RemediationClient.command(
                tenantId: command.tenantId, target: command.target, action: .approve, analyst: analyst,
                reason: reason, storyId: command.storyId, dryRun: false, lifetime: lifetime.seconds,
                approves: command.commandId)
        } else {
            unsigned = RemediationClient.command(
                tenantId: tenant!, target: RemediationCommand.Target(user: user!, messageId: messageId, ruleId: ruleId),
                action: RemediationCommand.Action(argumentName: action!)!, analyst: analyst, reason: reason,
                storyId: story, dryRun: dryRun, lifetime: lifetime.seconds)
        }
        let command = try signer().sign(unsigned)
        try await client.publish([command])
        FileHandle.standardError.write(Data("published \(command.action.rawValue) command \(command.commandId)\n".utf8))
        if noWait {
            print(command.commandId)
            return
        }
        let json = self.json
        let outcome = try await client.wait(for: command.commandId, timeout: timeout.duration) { progress in
            if progress.status == .accepted && !json {
                FileHandle.standardError.write(Data("accepted: the worker is calling Graph\n".utf8))
            }
        }
        guard let outcome else {
            FileHandle.standardError.write(
                Data(
                    "no outcome within \(timeout): is an action worker running (inboxwatch act)? Follow it with inboxwatch outcomes --follow\n"
                        .utf8))
            throw ExitCode(4)
        }
        print(json ? String(decoding: try EventEncoder().encode(outcome), as: UTF8.self) : OutcomeText.render(outcome))
        switch outcome.status {
        case .succeeded, .dryRun: return
        case .held: throw ExitCode(3)
        default: throw ExitCode(1)
        }
    }
}

/// An outcome as one line for a terminal.
enum OutcomeText {
    static func render(_ outcome: RemediationOutcome) -> String {
        var line = "\(outcome.completedAt.formatted(.iso8601)) \(outcome.status.rawValue) \(outcome.action.rawValue)"
        if let user = outcome.target?.user { line += " \(user)" }
        var facts = ["command \(outcome.commandId)"]
        if let story = outcome.storyId { facts.append("story \(story)") }
        if let code = outcome.code { facts.append(code) }
        facts.append("\(outcome.attempts) call\(outcome.attempts == 1 ? "" : "s")")
        if let received = outcome.receivedAt, outcome.status.isFinal {
            facts.append(String(format: "%.1f s", outcome.completedAt.timeIntervalSince(received)))
        }
        if let approvedBy = outcome.approvedBy { facts.append("approved by \(approvedBy)") }
        return line + " (\(facts.joined(separator: ", "))): \(outcome.detail)"
    }
}
