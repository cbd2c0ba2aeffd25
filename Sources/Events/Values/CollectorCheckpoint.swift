public import Foundation

/// How far a collector has got for one source, on the compacted
/// `inboxwatch.collector.checkpoints` (keyed `tenant/source`).
public struct CollectorCheckpoint: TopicValue {
    public static let schemaName = "collector-checkpoint"

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
    public var updatedAt: Date

    public init(
        schemaVersion: SchemaVersion = .v1, tenantId: String, source: String, watermark: Date? = nil,
        deltaLink: String? = nil, nextPageUri: String? = nil, updatedAt: Date
    ) {
        self.schemaVersion = schemaVersion
        self.tenantId = tenantId
        self.source = source
        self.watermark = watermark
        self.deltaLink = deltaLink
        self.nextPageUri = nextPageUri
        self.updatedAt = updatedAt
    }
}
