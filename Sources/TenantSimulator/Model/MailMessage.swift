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
    /// The message's attachments (Graph `messages/{id}/attachments`): a report in the
    /// phishing-report mailbox carries the reported message as an item attachment.
    public var attachments: [MailAttachment]
    /// When the sender sent it, when the simulator knows better than Graph's usual two
    /// seconds before `receivedDateTime` (a report's `sentDateTime` is when the user reported).
    public var sentDateTime: Date?
    /// The address the message reached Exchange Online from, when it came from outside
    /// (the `SenderIp` of its `TIMailData` record and of its `Received` header).
    public var senderIP: String?

    public enum Verdict: String, Sendable, Hashable {
        case clean, spam, phish, malware
    }

    public init(
        id: String, mailboxUserId: String, folder: String, internetMessageId: String, subject: String,
        from: Recipient, toRecipients: [Recipient], receivedDateTime: Date, bodyPreview: String, body: String,
        isRead: Bool, hasAttachments: Bool, verdict: Verdict, attachments: [MailAttachment] = [],
        senderIP: String? = nil, sentDateTime: Date? = nil
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
        self.attachments = attachments
        self.senderIP = senderIP
        self.sentDateTime = sentDateTime
    }
}

/// One of a message's attachments: an Outlook item (Graph `itemAttachment`), the only
/// kind the simulated tenant makes. Its raw content (`$value`) is the item in MIME form.
public struct MailAttachment: Sendable, Hashable {
    public var id: String
    /// Graph names an item attachment after the item's subject.
    public var name: String
    public var lastModifiedDateTime: Date
    /// The attached message as its owner had it (without attachments of its own).
    public var item: MailMessage
    /// The item's `internetMessageHeaders`, in transport order.
    public var itemHeaders: [MessageHeader]

    public init(
        id: String, name: String, lastModifiedDateTime: Date, item: MailMessage, itemHeaders: [MessageHeader]
    ) {
        self.id = id
        self.name = name
        self.lastModifiedDateTime = lastModifiedDateTime
        self.item = item
        self.itemHeaders = itemHeaders
    }

    /// The item as an RFC 5322 message: its headers, a blank line, its text body (CRLF line ends).
    public var mime: String {
        let head = itemHeaders.map { "\($0.name): \($0.value)" }.joined(separator: "\r\n")
        return head + "\r\n\r\n" + item.body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
    }

    /// Bytes of ``mime``: what Graph reports as the attachment's `size`.
    public var size: Int { mime.utf8.count }
}

/// One transport header of a message (Graph `internetMessageHeader`).
public struct MessageHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
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
