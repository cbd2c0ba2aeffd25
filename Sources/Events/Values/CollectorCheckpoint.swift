public import Foundation

/// How far a collector has got for one source, on the compacted
/// `inboxwatch.collector.checkpoints` (keyed `tenant/source`).
///
/// A checkpoint is written only after Kafka acknowledged every record it covers,
/// so resuming from it can repeat work but never skip it.
public struct CollectorCheckpoint: TopicValue {
    public static let schemaName = "collector-checkpoint"
    /// 1.1 added `completedContent`, `gaps` and `fingerprints`.
    public static var currentVersion: SchemaVersion { SchemaVersion(major: 1, minor: 1) }

    public var schemaVersion: SchemaVersion
    public var tenantId: String
    /// `audit/Audit.Exchange`, `mail/messages/alice@contoso.com`, ...
    public var source: String
    /// Everything published before this time is on the raw topic (the next window starts here, minus the overlap).
    public var watermark: Date?
    /// A Graph delta link to resume from.
    public var deltaLink: String?
    /// A listing page not yet finished, to resume from after a crash.
    public var nextPageUri: String?
    /// Content blobs already published whose `contentCreated` lies in the re-listed overlap
    /// or after the watermark: a re-listing skips them.
    public var completedContent: [CompletedContent]?
    /// Content blobs that kept failing: retried on later cycles until they expire.
    public var gaps: [ContentGap]?
    /// For sources polled as snapshots (inbox rules, domains, users): a digest of each
    /// resource's content by resource id, so only changes are published.
    public var fingerprints: [String: String]?
    public var updatedAt: Date

    public init(
        schemaVersion: SchemaVersion = Self.currentVersion, tenantId: String, source: String, watermark: Date? = nil,
        deltaLink: String? = nil, nextPageUri: String? = nil, completedContent: [CompletedContent]? = nil,
        gaps: [ContentGap]? = nil, fingerprints: [String: String]? = nil, updatedAt: Date
    ) {
        self.schemaVersion = schemaVersion
        self.tenantId = tenantId
        self.source = source
        self.watermark = watermark
        self.deltaLink = deltaLink
        self.nextPageUri = nextPageUri
        self.completedContent = completedContent
        self.gaps = gaps
        self.fingerprints = fingerprints
        self.updatedAt = updatedAt
    }

    /// A content blob whose every record Kafka acknowledged.
    public struct CompletedContent: Codable, Sendable, Hashable {
        public var contentId: String
        public var contentCreated: Date

        public init(contentId: String, contentCreated: Date) {
            self.contentId = contentId
            self.contentCreated = contentCreated
        }
    }

    /// A content blob that could not be collected yet, and why.
    public struct ContentGap: Codable, Sendable, Hashable {
        public var contentId: String
        public var contentUri: String
        public var contentCreated: Date
        /// After this Microsoft no longer serves the blob; the gap is then data lost for good.
        public var contentExpiration: Date
        public var attempts: Int
        public var lastError: String
        public var firstFailedAt: Date

        public init(
            contentId: String, contentUri: String, contentCreated: Date, contentExpiration: Date, attempts: Int,
            lastError: String, firstFailedAt: Date
        ) {
            self.contentId = contentId
            self.contentUri = contentUri
            self.contentCreated = contentCreated
            self.contentExpiration = contentExpiration
            self.attempts = attempts
            self.lastError = lastError
            self.firstFailedAt = firstFailedAt
        }
    }
}
