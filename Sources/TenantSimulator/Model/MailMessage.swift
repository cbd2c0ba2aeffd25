public import Foundation

/// A message in one user's mailbox, as Graph's `message` resource shows it.
public struct MailMessage: Sendable, Hashable {
    public var id: String
    public var mailboxUserId: String
    /// Graph well-known folder name: `inbox`, `junkemail`, `deleteditems`, `sentitems`, `archive`.
    public var folder: String
    public var internetMessageId: String
    public var subject: String
    public var from: Recipient
    public var toRecipients: [Recipient]
    public var receivedDateTime: Date
    public var bodyPreview: String
    public var body: String
    public var isRead: Bool
    public var hasAttachments: Bool
    /// Defender's verdict, when it had one; the simulator's ground truth, not a Graph field.
    public var verdict: Verdict

    public enum Verdict: String, Sendable, Hashable {
        case clean, spam, phish, malware
    }

    public init(
        id: String, mailboxUserId: String, folder: String, internetMessageId: String, subject: String,
        from: Recipient, toRecipients: [Recipient], receivedDateTime: Date, bodyPreview: String, body: String,
        isRead: Bool, hasAttachments: Bool, verdict: Verdict
    ) {
        self.id = id
        self.mailboxUserId = mailboxUserId
        self.folder = folder
        self.internetMessageId = internetMessageId
        self.subject = subject
        self.from = from
        self.toRecipients = toRecipients
        self.receivedDateTime = receivedDateTime
        self.bodyPreview = bodyPreview
        self.body = body
        self.isRead = isRead
        self.hasAttachments = hasAttachments
        self.verdict = verdict
    }
}

/// `{"emailAddress":{"name":…,"address":…}}` in Graph.
public struct Recipient: Sendable, Hashable {
    public var name: String
    public var address: String

    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }
}
