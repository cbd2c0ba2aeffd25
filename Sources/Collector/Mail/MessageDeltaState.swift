public import Events
public import Foundation

/// Where the delta query of one mailbox folder stands: the delta link to resume from, when
/// the last round started, and when that was last checkpointed.
///
/// A pure value: the driver asks where to ``start(now:backfillFrom:)``, walks the round,
/// classifies each message with ``changeKind(receivedAt:)``, and on reaching the delta link
/// calls ``roundCompleted(deltaLink:startedAt:)``; a 410 calls ``linkExpired()``.
public struct MessageDeltaState: Sendable, Hashable {
    public let tenantId: String
    /// `mail/messages/alice@contoso.com`, `mail/userReports/phishreports@contoso.com`.
    public let source: String
    public let policy: MailCollectionPolicy
    public private(set) var deltaLink: String?
    /// When the last complete round started, by our clock (the checkpoint's watermark).
    public private(set) var lastRound: Date?
    /// When the link now held was checkpointed; nil when it never was (a first sync, a resync).
    private var persistedAt: Date?
    /// Whether the round in progress is a full sync (no link): everything in it is `created`.
    public private(set) var isSyncing = false

    public init(tenantId: String, source: String, policy: MailCollectionPolicy, checkpoint: CollectorCheckpoint?) {
        self.tenantId = tenantId
        self.source = source
        self.policy = policy
        deltaLink = checkpoint?.deltaLink
        lastRound = checkpoint?.watermark
        persistedAt = checkpoint?.deltaLink == nil ? nil : checkpoint?.updatedAt
    }

    /// Where a round begins.
    public enum Start: Sendable, Hashable {
        /// Resume from the stored delta link: only what changed since.
        case link(String)
        /// A full sync of messages received at or after this time.
        case sync(receivedSince: Date)
    }

    /// The stored link; else a sync from just before the last round (after a 410: what came
    /// in meanwhile, the overlap absorbing clock skew), else from `--since` or the initial
    /// look-back (a first start).
    public mutating func start(now: Date, backfillFrom: Date?) -> Start {
        if let deltaLink {
            isSyncing = false
            return .link(deltaLink)
        }
        isSyncing = true
        if let lastRound { return .sync(receivedSince: min(now, lastRound.addingTimeInterval(-policy.overlap))) }
        return .sync(receivedSince: min(now, backfillFrom ?? now.addingTimeInterval(-policy.initialLookback)))
    }

    /// New or changed: everything a sync finds is `created` (republished copies are the same
    /// event, so the dedupe drops them); in an incremental round a message received since the
    /// last round (less the slack) is new, an older one was changed or moved into the folder.
    public func changeKind(receivedAt: Date?) -> RawMailEnvelope.ChangeKind {
        guard !isSyncing, let lastRound else { return .created }
        guard let receivedAt else { return .updated }
        return receivedAt >= lastRound.addingTimeInterval(-policy.createdSlack) ? .created : .updated
    }

    /// Graph answered 410 for the link: the sync state is gone; the next round syncs again.
    public mutating func linkExpired() {
        deltaLink = nil
        persistedAt = nil
    }

    /// The round reached its delta link and all it found is published.
    public mutating func roundCompleted(deltaLink: String, startedAt: Date) {
        self.deltaLink = deltaLink
        lastRound = max(lastRound ?? startedAt, startedAt)
        isSyncing = false
    }

    /// Whether to checkpoint after a round: when it published something, when the link was
    /// never checkpointed, or when the checkpointed one is older than the refresh interval.
    /// Otherwise resuming from the older link merely repeats an empty round.
    public func needsCheckpoint(published: Int, now: Date) -> Bool {
        guard let persistedAt else { return deltaLink != nil }
        return published > 0 || now.timeIntervalSince(persistedAt) >= policy.checkpointRefresh
    }

    /// The state as a checkpoint; write it only after Kafka acknowledged the round, then call
    /// ``checkpointWritten(at:)``.
    public func checkpoint(now: Date) -> CollectorCheckpoint {
        CollectorCheckpoint(
            tenantId: tenantId, source: source, watermark: lastRound, deltaLink: deltaLink, updatedAt: now)
    }

    public mutating func checkpointWritten(at now: Date) {
        persistedAt = now
    }
}
