public import Foundation

/// A message a user reported by sending it, as an attachment, to the tenant's
/// phishing-report mailbox (``TenantDirectory/reportMailbox``): what a collector reading
/// that mailbox must turn into exactly one user-report event. The simulator's ground
/// truth, kept on ``TenantTimeline/userReports``; every field can be read back from
/// Graph (the report message and its expanded item attachment).
public struct UserReport: Sendable, Hashable {
    /// How the report reached the mailbox.
    public enum Channel: String, Sendable, Hashable {
        /// Outlook's Report button (phishing): Microsoft also records a threat submission
        /// and raises "Email reported by user as malware or phish". Subject `Phishing report: …`.
        case reportButton
        /// The user forwarded the message as an attachment by hand. Subject `FW: …`.
        case forwardedAsAttachment
    }

    public var channel: Channel
    public var reporterUserId: String
    public var reporterUserPrincipalName: String
    /// The report mailbox's user principal name.
    public var reportMailbox: String
    /// Graph id of the report message in the report mailbox.
    public var reportMessageId: String
    public var reportInternetMessageId: String
    public var reportSubject: String
    /// When the user reported (sent) it: the report message's `sentDateTime`.
    public var reportedAt: Date
    /// When it arrived in the report mailbox: the report message's `receivedDateTime`.
    public var receivedDateTime: Date
    /// Graph id of the item attachment that holds the reported message.
    public var attachmentId: String
    public var originalInternetMessageId: String
    /// The reported message's sender address (`from`).
    public var originalSender: String
    public var originalSenderName: String
    public var originalSubject: String
    public var originalReceivedDateTime: Date
    /// What the reported message really was: `phish` for an attack, `clean` for a
    /// legitimate newsletter reported by mistake.
    public var verdict: MailMessage.Verdict
    /// The threat submission (`security/threatSubmission/emailThreats`) of a Report-button report.
    public var submissionId: String?

    public init(
        channel: Channel, reporterUserId: String, reporterUserPrincipalName: String, reportMailbox: String,
        reportMessageId: String, reportInternetMessageId: String, reportSubject: String, reportedAt: Date,
        receivedDateTime: Date, attachmentId: String, originalInternetMessageId: String, originalSender: String,
        originalSenderName: String, originalSubject: String, originalReceivedDateTime: Date,
        verdict: MailMessage.Verdict, submissionId: String?
    ) {
        self.channel = channel
        self.reporterUserId = reporterUserId
        self.reporterUserPrincipalName = reporterUserPrincipalName
        self.reportMailbox = reportMailbox
        self.reportMessageId = reportMessageId
        self.reportInternetMessageId = reportInternetMessageId
        self.reportSubject = reportSubject
        self.reportedAt = reportedAt
        self.receivedDateTime = receivedDateTime
        self.attachmentId = attachmentId
        self.originalInternetMessageId = originalInternetMessageId
        self.originalSender = originalSender
        self.originalSenderName = originalSenderName
        self.originalSubject = originalSubject
        self.originalReceivedDateTime = originalReceivedDateTime
        self.verdict = verdict
        self.submissionId = submissionId
    }
}
