public import Foundation

/// A request to change something in the tenant, on `inboxwatch.remediation.commands`.
/// Only the action worker acts on it, and only when it is signed, fresh and allowed.
public struct RemediationCommand: TopicValue {
    public static let schemaName = "remediation-command"

    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case moveMessageToJunk, deleteMessage, removeInboxRule, clearMailboxForwarding, disableAccount,
            revokeSessions, forcePasswordChange, confirmCompromised, warnUser
        /// An analyst's approval of a held command (`approves` names it): the held command runs
        /// although it is beyond its tenant's cap. Changes nothing in the tenant by itself.
        case approve

        /// Whether it changes the tenant (everything but an approval).
        public var changesTenant: Bool { self != .approve }
    }

    /// What the action applies to.
    public struct Target: Sendable, Hashable, Codable {
        public var user: String
        public var messageId: String?
        public var ruleId: String?

        public init(user: String, messageId: String? = nil, ruleId: String? = nil) {
            self.user = user
            self.messageId = messageId
            self.ruleId = ruleId
        }
    }

    /// Who asked: an analyst, or an automatic policy and the rule in it.
    public struct Requester: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable { case analyst, autoPolicy }
        public var kind: Kind
        public var identity: String
        public var rule: String?

        public init(kind: Kind, identity: String, rule: String? = nil) {
            self.kind = kind
            self.identity = identity
            self.rule = rule
        }
    }

    /// The issuer's Ed25519 signature over the command's canonical bytes (without this field).
    public struct Signature: Sendable, Hashable, Codable {
        public var keyId: String
        public var algorithm: String
        /// Base64.
        public var value: String

        public init(keyId: String, algorithm: String = "ed25519", value: String) {
            self.keyId = keyId
            self.algorithm = algorithm
            self.value = value
        }
    }

    public var schemaVersion: SchemaVersion
    public var commandId: String
    public var storyId: String?
    public var tenantId: String
    public var target: Target
    public var action: Action
    public var requestedBy: Requester
    public var reason: String
    public var dryRun: Bool
    public var issuedAt: Date
    public var expiresAt: Date
    /// Random, single use: a replayed command is refused.
    public var nonce: String
    /// For `approve`: the id of the held command it approves.
    public var approves: String?
    public var signature: Signature?

    public init(
        schemaVersion: SchemaVersion = SchemaVersion(major: 1, minor: 1), commandId: String, storyId: String? = nil,
        tenantId: String,
        target: Target, action: Action, requestedBy: Requester, reason: String, dryRun: Bool, issuedAt: Date,
        expiresAt: Date, nonce: String, approves: String? = nil, signature: Signature? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.commandId = commandId
        self.storyId = storyId
        self.tenantId = tenantId
        self.target = target
        self.action = action
        self.requestedBy = requestedBy
        self.reason = reason
        self.dryRun = dryRun
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.nonce = nonce
        self.approves = approves
        self.signature = signature
    }

    public func validate() throws(EventDecodingError) {
        guard !commandId.isEmpty else {
            throw EventDecodingError(code: .invalidValue, message: "commandId is empty", path: "commandId")
        }
        if action == .approve, approves?.isEmpty ?? true {
            throw EventDecodingError(
                code: .invalidValue, message: "an approve command names the held command it approves",
                path: "approves")
        }
    }
}
