public import Foundation

/// How an audit collector walks the Management Activity API's content windows.
public struct AuditCollectionPolicy: Sendable, Hashable {
    /// Re-listed on every cycle before the watermark: content Microsoft lists late (a blob whose
    /// `contentCreated` lies in the past when it first shows up) is still found. Default 4 hours.
    public var overlap: TimeInterval
    /// Longest window asked for at once (the API allows 24 h). Short windows keep the set of
    /// blobs one checkpoint has to remember small during a backfill.
    public var windowLength: TimeInterval
    /// Kept between the resume point and the API's 7-day limit, so a window never starts
    /// older than the API accepts by the time the request arrives.
    public var retentionMargin: TimeInterval
    /// Where a source starts that has no checkpoint yet (`--since`), as an interval before now.
    public var initialLookback: TimeInterval
    /// Blobs fetched at once per content type.
    public var blobConcurrency: Int

    public init(
        overlap: TimeInterval = 4 * 3600, windowLength: TimeInterval = 3600, retentionMargin: TimeInterval = 15 * 60,
        initialLookback: TimeInterval = 3600, blobConcurrency: Int = 4
    ) {
        self.overlap = overlap
        self.windowLength = windowLength
        self.retentionMargin = retentionMargin
        self.initialLookback = initialLookback
        self.blobConcurrency = blobConcurrency
    }

    /// The oldest `startTime` the API accepts: 7 days back.
    public static let retention: TimeInterval = 7 * 24 * 3600

    /// Every setting that cannot work, as `key: problem` lines.
    public func problems() -> [String] {
        var problems: [String] = []
        if overlap < 0 || overlap > Self.retention / 2 {
            problems.append("overlap: \(overlap) s; use 0 to 3.5 days (default 4 h)")
        }
        if windowLength < 60 || windowLength > 24 * 3600 {
            problems.append("windowLength: \(windowLength) s; the API takes 1 minute to 24 hours")
        }
        if retentionMargin < 0 || retentionMargin > 24 * 3600 {
            problems.append("retentionMargin: \(retentionMargin) s; use 0 to 24 h (default 15 min)")
        }
        if initialLookback < 0 || initialLookback > Self.retention - retentionMargin {
            problems.append("since: at most 7 days back (minus \(Int(retentionMargin / 60)) min of margin)")
        }
        if blobConcurrency < 1 || blobConcurrency > 64 { problems.append("blobConcurrency: use 1 to 64") }
        return problems
    }
}
