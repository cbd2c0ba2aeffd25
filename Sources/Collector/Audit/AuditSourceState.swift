public import Events
public import Foundation

/// What one audit collector knows about one content type of one tenant: how far it has
/// listed, which blobs it already published, and which keep failing.
///
/// A pure value with no I/O and no clock of its own: the driver passes `now`, calls the
/// methods as listings and blobs complete, and writes ``checkpoint(now:)`` after Kafka
/// acknowledged what it covers. Restoring from that checkpoint gives the same state.
public struct AuditSourceState: Sendable, Hashable {
    public let tenantId: String
    public let contentType: String
    public let policy: AuditCollectionPolicy
    /// Every window ending at or before this was fully listed and its blobs published or recorded as gaps.
    public private(set) var watermark: Date?
    private var completed: [String: Date] = [:]
    private var gaps: [String: CollectorCheckpoint.ContentGap] = [:]
    /// A `--since` asked for: the next plan starts here even if the watermark is later.
    private var backfillStart: Date?

    /// The checkpoint key's source part: `audit/Audit.Exchange`.
    public var source: String { Self.source(contentType: contentType) }

    public static func source(contentType: String) -> String { "audit/\(contentType)" }

    public init(tenantId: String, contentType: String, policy: AuditCollectionPolicy, checkpoint: CollectorCheckpoint?)
    {
        self.tenantId = tenantId
        self.contentType = contentType
        self.policy = policy
        if let checkpoint {
            watermark = checkpoint.watermark
            for item in checkpoint.completedContent ?? [] { completed[item.contentId] = item.contentCreated }
            for gap in checkpoint.gaps ?? [] { gaps[gap.contentId] = gap }
        }
    }

    /// The windows one cycle lists, oldest first, and the span lost for good if the
    /// resume point had fallen out of the API's 7 days.
    public struct CyclePlan: Sendable, Hashable {
        public var windows: [ContentSpan]
        /// Content published in this span can no longer be listed: say so loudly.
        public var lost: ContentSpan?
    }

    /// A `[start, end)` span of `contentCreated` times.
    public struct ContentSpan: Sendable, Hashable, CustomStringConvertible {
        public var start: Date
        public var end: Date
        public var description: String { "[\(start), \(end))" }

        public init(start: Date, end: Date) {
            self.start = start
            self.end = end
        }
    }

    /// Plans the listings of one cycle: from the watermark minus the overlap (or the initial
    /// look-back) to `now`, clamped to the API's 7 days, in windows of at most `windowLength`.
    public func planCycle(now: Date) -> CyclePlan {
        let earliest = now.addingTimeInterval(-AuditCollectionPolicy.retention + policy.retentionMargin)
        var start: Date
        var lost: ContentSpan?
        if let watermark {
            start = watermark.addingTimeInterval(-policy.overlap)
            if watermark < earliest { lost = ContentSpan(start: watermark, end: earliest) }
        } else {
            start = now.addingTimeInterval(-policy.initialLookback)
        }
        if let backfillStart { start = min(start, backfillStart) }
        start = max(start, earliest)
        var windows: [ContentSpan] = []
        while now.timeIntervalSince(start) >= 1 {
            let end = min(now, start.addingTimeInterval(policy.windowLength))
            windows.append(ContentSpan(start: start, end: end))
            start = end
        }
        return CyclePlan(windows: windows, lost: lost)
    }

    /// Collects again from `date` on the next cycle, whatever the checkpoint says (a backfill).
    /// Blobs published before are still skipped.
    public mutating func backfill(from date: Date) {
        backfillStart = date
    }

    /// Whether a listed blob still has to be fetched: not published yet, and not a gap
    /// (gaps are retried through ``gapsToRetry(now:)``, once per cycle).
    public func needsFetch(contentId: String) -> Bool {
        completed[contentId] == nil && gaps[contentId] == nil
    }

    /// Gaps still within Microsoft's 7 days, to retry this cycle.
    public func gapsToRetry(now: Date) -> [CollectorCheckpoint.ContentGap] {
        gaps.values.filter { $0.contentExpiration > now }.sorted { $0.contentCreated < $1.contentCreated }
    }

    public var openGaps: [CollectorCheckpoint.ContentGap] {
        gaps.values.sorted { $0.contentCreated < $1.contentCreated }
    }

    /// Every record of the blob is acknowledged by Kafka (or dead-lettered).
    public mutating func blobPublished(contentId: String, contentCreated: Date) {
        completed[contentId] = contentCreated
        gaps[contentId] = nil
    }

    /// The blob could not be fetched even after the HTTP client's retries: remember it as a gap.
    public mutating func blobFailed(
        contentId: String, contentUri: String, contentCreated: Date, contentExpiration: Date?, error: String,
        now: Date
    ) {
        var gap =
            gaps[contentId]
            ?? CollectorCheckpoint.ContentGap(
                contentId: contentId, contentUri: contentUri, contentCreated: contentCreated,
                contentExpiration: contentExpiration
                    ?? contentCreated.addingTimeInterval(AuditCollectionPolicy.retention),
                attempts: 0, lastError: error, firstFailedAt: now)
        gap.attempts += 1
        gap.lastError = error
        gaps[contentId] = gap
    }

    /// Removes and returns the gaps Microsoft no longer serves: data lost for good.
    public mutating func takeExpiredGaps(now: Date) -> [CollectorCheckpoint.ContentGap] {
        let expired = gaps.values.filter { $0.contentExpiration <= now }.sorted {
            $0.contentCreated < $1.contentCreated
        }
        for gap in expired { gaps[gap.contentId] = nil }
        return expired
    }

    /// A window was listed to its last page and each of its blobs published or recorded as a gap.
    public mutating func windowCompleted(_ window: ContentSpan) {
        backfillStart = nil
        guard window.end > (watermark ?? .distantPast) else { return }
        watermark = window.end
        // Blobs older than the next cycle's first window are never listed again.
        let horizon = window.end.addingTimeInterval(-policy.overlap)
        completed = completed.filter { $0.value >= horizon }
    }

    /// The state as a checkpoint; write it only after Kafka acknowledged what it covers.
    public func checkpoint(now: Date) -> CollectorCheckpoint {
        CollectorCheckpoint(
            tenantId: tenantId, source: source, watermark: watermark,
            completedContent: completed.map { .init(contentId: $0.key, contentCreated: $0.value) }
                .sorted { ($0.contentCreated, $0.contentId) < ($1.contentCreated, $1.contentId) },
            gaps: openGaps, updatedAt: now)
    }
}
