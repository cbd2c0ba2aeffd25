public import Events
public import Foundation

/// What the action worker may do, read from `--policy FILE` and checked whole at start: a
/// mistake in the file that could disable the wrong accounts fails the start, named, instead of
/// running with a guess.
///
/// ```json
/// {"mode": "enforce",
///  "tenants": ["<tenant id>"],
///  "allowedActions": ["removeInboxRule", "revokeSessions", "disableAccount"],
///  "protectedUsers": ["breakglass@contoso.com"],
///  "protectedGroups": ["Break Glass Accounts"],
///  "capsPerHour": {"disableAccount": 5},
///  "killSwitchFile": "/etc/inboxwatch/kill-switch",
///  "warningMail": {"sender": "security@contoso.com"}}
/// ```
public struct ActionPolicy: Sendable, Hashable {
    /// `dryRun` (the default, for a new deployment) reports what would be done and changes nothing.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case dryRun, enforce
    }

    public var mode: Mode = .dryRun
    /// Tenant ids the worker serves, lower-cased; a command for another tenant is rejected.
    public var tenants: Set<String> = []
    public var allowedActions: Set<RemediationCommand.Action> = []
    /// User principal names or object ids, lower-cased, never touched.
    public var protectedUsers: Set<String> = []
    /// Group display names or object ids, lower-cased: their (transitive) members are never touched.
    public var protectedGroups: Set<String> = []
    /// Per tenant and action, how many commands may run in one hour before the next is held
    /// for an analyst's approval.
    public var capsPerHour: [RemediationCommand.Action: Int] = ActionPolicy.defaultCaps
    /// Stops every command (held, not lost) while true.
    public var killSwitch = false
    /// While this file exists, every command is held: an operator can stop the worker's hands
    /// without a restart (`touch` it), and release them (`rm` it; then approve what was held).
    public var killSwitchFile: String?
    /// Commands living longer than this (expiresAt − issuedAt) are refused: a long-lived signed
    /// command is a replay waiting to happen.
    public var maximumCommandLifetime: TimeInterval = 24 * 3600
    /// How far in the future a command's issuedAt may be (the issuer's clock may be ahead).
    public var clockSkew: TimeInterval = 300
    /// The warning mail of `warnUser`.
    public var warningMail = WarningMail()

    /// The mail `warnUser` sends, from a mailbox of the tenant.
    public struct WarningMail: Sendable, Hashable {
        /// The mailbox it is sent from (needs Mail.Send for the action app); nil: `warnUser` fails, named.
        public var sender: String?
        public var subject = "Security notice: we have secured your account"
        public var body =
            "Our security monitoring saw activity on your mailbox that did not look like yours, and we have "
            + "acted on it. If you did not expect this, contact the service desk. Do not reply to this message."

        public init() {}
    }

    /// Caps when the policy names none for an action: low for what locks people out.
    public static let defaultCaps: [RemediationCommand.Action: Int] = [
        .disableAccount: 5, .forcePasswordChange: 5, .revokeSessions: 20, .confirmCompromised: 20,
        .removeInboxRule: 50, .clearMailboxForwarding: 50, .warnUser: 100, .moveMessageToJunk: 500,
        .deleteMessage: 500,
    ]

    public init() {}

    /// The cap of `action` per tenant per hour.
    public func cap(of action: RemediationCommand.Action) -> Int {
        capsPerHour[action] ?? Self.defaultCaps[action] ?? 0
    }

    /// Whether the kill switch is on now (the flag, or the file exists).
    public func isKillSwitchEngaged(fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        -> Bool
    {
        killSwitch || (killSwitchFile.map(fileExists) ?? false)
    }

    /// Whether `user` (a UPN or object id) is named protected.
    public func isProtected(user: String) -> Bool {
        protectedUsers.contains(user.lowercased())
    }
}

/// A policy file that cannot be used, with every problem and where it is.
public struct ActionPolicyError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String {
        "the action policy cannot be used:\n  " + problems.joined(separator: "\n  ")
    }
}
