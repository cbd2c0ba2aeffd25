public import Events
public import Foundation

/// How far one time-window source (sign-ins, risky users, submissions, alerts) of one tenant
/// has been listed.
///
/// A pure value with no I/O and no clock of its own: the driver asks for a ``plan(now:)``,
/// lists from its `since`, publishes, then calls ``listed(latestSeen:now:)`` and writes
/// ``checkpoint(now:)`` after Kafka acknowledged what it published.
///
/// The watermark is the latest item time seen, never past `now`, and never earlier than
/// `now - overlap` of the last complete listing: the next listing starts at the watermark
/// minus the overlap, so an item Graph shows up to `overlap` late is still listed, and a quiet
/// source's window stays short instead of stretching back to its last item.
public struct MailWindowState: Sendable, Hashable {
    public let tenantId: String
    public let kind: MailWindowSource
    public let policy: MailCollectionPolicy
    public private(set) var watermark: Date?
    /// A `--since` asked for: the next plan starts there even if the watermark is later.
    private var backfillStart: Date?

    public var source: String { kind.checkpointSource }

    public init(
        tenantId: String, kind: MailWindowSource, policy: MailCollectionPolicy, checkpoint: CollectorCheckpoint?
    ) {
        self.tenantId = tenantId
        self.kind = kind
        self.policy = policy
        watermark = checkpoint?.watermark
    }

    /// What one listing asks for.
    public struct Plan: Sendable, Hashable {
        /// List items whose time is at or after this.
        public var since: Date
        /// Items of this span can no longer be listed (the collector was away longer than
        /// Graph keeps them): say so loudly.
        public var lost: ClosedRange<Date>?
    }

    /// From the watermark minus the overlap (or the initial look-back), clamped to what Graph
    /// keeps and never after `now`.
    public func plan(now: Date) -> Plan {
        let earliest = kind.retention.map { now.addingTimeInterval(-$0) }
        var since: Date
        var lost: ClosedRange<Date>?
        if let watermark {
            since = watermark.addingTimeInterval(-policy.overlap)
            if let earliest, watermark < earliest { lost = watermark...earliest }
        } else {
            since = now.addingTimeInterval(-policy.initialLookback)
        }
        if let backfillStart { since = min(since, backfillStart) }
        if let earliest { since = max(since, earliest) }
        return Plan(since: min(since, now), lost: lost)
    }

    /// Lists again from `date` on the next cycle, whatever the checkpoint says (a backfill).
    public mutating func backfill(from date: Date) {
        backfillStart = date
    }

    /// A listing from the plan's `since` to its last page was published. `latestSeen` is the
    /// latest item time in it (nil when it was empty).
    public mutating func listed(latestSeen: Date?, now: Date) {
        backfillStart = nil
        let candidates = [watermark, latestSeen.map { min($0, now) }, now.addingTimeInterval(-policy.overlap)]
        watermark = candidates.compactMap { $0 }.max()
    }

    /// The state as a checkpoint; write it only after Kafka acknowledged what it covers.
    public func checkpoint(now: Date) -> CollectorCheckpoint {
        CollectorCheckpoint(tenantId: tenantId, source: source, watermark: watermark, updatedAt: now)
    }
}
