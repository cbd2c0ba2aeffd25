public import Foundation

/// What became of a command, on `inboxwatch.remediation.outcomes` (compacted, keyed by command id).
///
/// The action worker's memory: before it calls Microsoft it records `accepted` (the intent), and
/// after the call one final status. A command id gets exactly one final record; a command seen
/// again is answered from it. `held` waits for an analyst's approval and carries the command so
/// that any worker instance can run it once approved.
public struct RemediationOutcome: TopicValue {
    public static let schemaName = "remediation-outcome"

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// About to be carried out (the intent, written before the call to Microsoft). Not final.
        case accepted
        /// Waiting for an analyst's approval (beyond the tenant's cap, or the kill switch is on). Not final.
        case held
        /// Done in the tenant (or already so: the action is idempotent).
        case succeeded
        /// Tried and failed; `detail` says why (Graph's code and message).
        case failed
        /// Never run, on purpose: the target is protected.
        case skipped
        /// Never run: unsigned, forged, replayed, for an unknown tenant, or not allowed.
        case rejected
        /// Its expiry passed before it could be carried out (or while Graph kept throttling).
        case expired
        /// Run in dry-run mode: `detail` says what would have been done.
        case dryRun

        /// Whether nothing more will happen to the command.
        public var isFinal: Bool { self != .accepted && self != .held }
    }

    public var schemaVersion: SchemaVersion
    public var commandId: String
    public var storyId: String?
    public var tenantId: String
    public var action: RemediationCommand.Action
    /// What the command was about (absent when the command could not be read).
    public var target: RemediationCommand.Target?
    public var status: Status
    /// A stable word for the reason, for rules and dashboards: `unsigned`, `forged`, `replayed`,
    /// `expired`, `unknownTenant`, `notAllowed`, `protected`, `cap`, `killSwitch`, `approved`,
    /// `alreadyDone`, or Graph's error code.
    public var code: String?
    public var detail: String
    /// Calls made to Microsoft (0 when rejected before any).
    public var attempts: Int
    /// When the worker read the command.
    public var receivedAt: Date?
    /// When the first call to Microsoft started.
    public var startedAt: Date?
    public var completedAt: Date
    /// The command's nonce, so that a worker restoring its memory knows which nonces are spent.
    public var nonce: String?
    /// For a move: the message's id in its new folder (Graph gives a moved message a new id).
    public var newMessageId: String?
    /// On the intent: the target's state read just before the call (e.g.
    /// `signInSessionsValidFrom=2026-11-23T10:33:44Z`), which tells after a crash whether the call acted.
    public var observedBefore: String?
    /// Who approved a command that was held, and with which approval command.
    public var approvedBy: String?
    /// A `held` record carries the command, signature included, to run it once approved.
    public var heldCommand: RemediationCommand?

    public init(
        schemaVersion: SchemaVersion = SchemaVersion(major: 1, minor: 1), commandId: String, storyId: String? = nil,
        tenantId: String, action: RemediationCommand.Action, target: RemediationCommand.Target? = nil,
        status: Status, code: String? = nil, detail: String, attempts: Int, receivedAt: Date? = nil,
        startedAt: Date? = nil, completedAt: Date, nonce: String? = nil, newMessageId: String? = nil,
        approvedBy: String? = nil, heldCommand: RemediationCommand? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.commandId = commandId
        self.storyId = storyId
        self.tenantId = tenantId
        self.action = action
        self.target = target
        self.status = status
        self.code = code
        self.detail = detail
        self.attempts = attempts
        self.receivedAt = receivedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.nonce = nonce
        self.newMessageId = newMessageId
        self.approvedBy = approvedBy
        self.heldCommand = heldCommand
    }

    public func validate() throws(EventDecodingError) {
        guard attempts >= 0 else {
            throw EventDecodingError(code: .invalidValue, message: "attempts cannot be negative", path: "attempts")
        }
        guard !commandId.isEmpty else {
            throw EventDecodingError(code: .invalidValue, message: "commandId is empty", path: "commandId")
        }
        if status == .held, heldCommand == nil {
            throw EventDecodingError(
                code: .invalidValue, message: "a held outcome carries the command it holds", path: "heldCommand")
        }
    }
}
