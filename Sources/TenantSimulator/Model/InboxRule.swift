public import Foundation

/// An inbox rule of one mailbox, in Graph's `messageRule` terms. The same rule is
/// announced in the audit log as `New-InboxRule` / `Set-InboxRule` (PowerShell,
/// OWA) or `UpdateInboxRules` (desktop Outlook).
public struct InboxRule: Sendable, Hashable {
    public var id: String
    public var mailboxUserId: String
    public var displayName: String
    public var sequence: Int
    public var isEnabled: Bool
    public var conditions: Conditions
    public var actions: Actions
    /// When the rule starts to exist in the mailbox.
    public var createdAt: Date
    /// How it was made, which decides the shape of its audit record.
    public var origin: Origin

    public enum Origin: String, Sendable, Hashable {
        /// `New-InboxRule` from Exchange Online PowerShell or Outlook on the web.
        case exchangeCmdlet
        /// `UpdateInboxRules` from desktop Outlook (MAPI).
        case outlookClient
    }

    /// Graph `messageRulePredicates`, the subset scenarios use.
    public struct Conditions: Sendable, Hashable {
        public var subjectContains: [String]
        public var bodyOrSubjectContains: [String]
        public var senderContains: [String]
        public var fromAddresses: [String]

        public init(
            subjectContains: [String] = [], bodyOrSubjectContains: [String] = [], senderContains: [String] = [],
            fromAddresses: [String] = []
        ) {
            self.subjectContains = subjectContains
            self.bodyOrSubjectContains = bodyOrSubjectContains
            self.senderContains = senderContains
            self.fromAddresses = fromAddresses
        }

        public var isEmpty: Bool {
            subjectContains.isEmpty && bodyOrSubjectContains.isEmpty && senderContains.isEmpty && fromAddresses.isEmpty
        }
    }

    /// Graph `messageRuleActions`.
    public struct Actions: Sendable, Hashable {
        public var forwardTo: [String]
        public var forwardAsAttachmentTo: [String]
        public var redirectTo: [String]
        public var delete: Bool
        public var permanentDelete: Bool
        /// A well-known folder name (`rssfeeds`, `archive`, `deleteditems`, `junkemail`,
        /// `conversationhistory`) or a user folder's display name.
        public var moveToFolder: String?
        public var markAsRead: Bool
        public var stopProcessingRules: Bool

        public init(
            forwardTo: [String] = [], forwardAsAttachmentTo: [String] = [], redirectTo: [String] = [],
            delete: Bool = false, permanentDelete: Bool = false, moveToFolder: String? = nil, markAsRead: Bool = false,
            stopProcessingRules: Bool = false
        ) {
            self.forwardTo = forwardTo
            self.forwardAsAttachmentTo = forwardAsAttachmentTo
            self.redirectTo = redirectTo
            self.delete = delete
            self.permanentDelete = permanentDelete
            self.moveToFolder = moveToFolder
            self.markAsRead = markAsRead
            self.stopProcessingRules = stopProcessingRules
        }

        public var forwardingAddresses: [String] { forwardTo + forwardAsAttachmentTo + redirectTo }
    }

    public init(
        id: String, mailboxUserId: String, displayName: String, sequence: Int, isEnabled: Bool = true,
        conditions: Conditions, actions: Actions, createdAt: Date, origin: Origin
    ) {
        self.id = id
        self.mailboxUserId = mailboxUserId
        self.displayName = displayName
        self.sequence = sequence
        self.isEnabled = isEnabled
        self.conditions = conditions
        self.actions = actions
        self.createdAt = createdAt
        self.origin = origin
    }
}
