public import Foundation

/// How the mail collector walks Microsoft Graph: how far back it looks, how much it re-reads,
/// and how many mailboxes it reads at once.
public struct MailCollectionPolicy: Sendable, Hashable {
    /// Re-listed before the watermark of every time-window source (sign-ins, risky users,
    /// submissions, alerts): Graph shows sign-ins minutes to hours after they happen, and an
    /// item at most this late is still collected. Default 1 hour.
    public var overlap: TimeInterval
    /// Where a source without a checkpoint starts, as an interval before now (`--since`); also
    /// the `receivedDateTime` a mailbox's first delta sync starts at.
    public var initialLookback: TimeInterval
    /// Mailboxes read at once. Each mailbox is read one request at a time, well inside the
    /// 4 concurrent requests Graph allows per app and mailbox.
    public var mailboxConcurrency: Int
    /// A mailbox whose delta round found nothing new still writes its checkpoint (with the
    /// newer delta link) when the last one is older than this, so the link it resumes from
    /// stays young without a checkpoint per mailbox per cycle.
    public var checkpointRefresh: TimeInterval
    /// A message received this long before the previous delta round is reported `updated`
    /// rather than `created` (clock skew between us and Exchange).
    public var createdSlack: TimeInterval

    public init(
        overlap: TimeInterval = 3600, initialLookback: TimeInterval = 3600, mailboxConcurrency: Int = 4,
        checkpointRefresh: TimeInterval = 3600, createdSlack: TimeInterval = 300
    ) {
        self.overlap = overlap
        self.initialLookback = initialLookback
        self.mailboxConcurrency = mailboxConcurrency
        self.checkpointRefresh = checkpointRefresh
        self.createdSlack = createdSlack
    }

    /// The furthest back any Graph source keeps data: sign-ins and submissions are kept
    /// 30 days (7 on tenants without Entra ID P1).
    public static let maximumLookback: TimeInterval = 30 * 24 * 3600

    /// Every setting that cannot work, as `key: problem` lines.
    public func problems() -> [String] {
        var problems: [String] = []
        if overlap < 0 || overlap > 24 * 3600 {
            problems.append("overlap: \(overlap) s; use 0 to 24 h (default 1 h)")
        }
        if initialLookback < 0 || initialLookback > Self.maximumLookback {
            problems.append("since: at most 30 days back (Graph keeps sign-ins 30 days)")
        }
        if mailboxConcurrency < 1 || mailboxConcurrency > 32 {
            problems.append("mailboxConcurrency: use 1 to 32 (default 4)")
        }
        if checkpointRefresh < 0 { problems.append("checkpointRefresh: must not be negative") }
        if createdSlack < 0 { problems.append("createdSlack: must not be negative") }
        return problems
    }
}
