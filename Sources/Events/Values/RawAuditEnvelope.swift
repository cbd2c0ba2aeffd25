public import Foundation

/// A Management Activity API record as collected, on `inboxwatch.raw.audit`.
/// The record itself is kept verbatim; the envelope says where it came from.
public struct RawAuditEnvelope: TopicValue {
    public static let schemaName = "raw-audit-envelope"

    public var schemaVersion: SchemaVersion
    public var tenantId: String
    /// `Audit.Exchange`, `Audit.AzureActiveDirectory`, `Audit.General`, `Audit.SharePoint`, `DLP.All`.
    public var contentType: String
    /// The content blob the record was listed in.
    public var contentId: String
    /// The record's own `Id` (also the CloudEvents `ce_id`).
    public var recordId: String
    public var collectedAt: Date
    /// The record exactly as Microsoft sent it.
    public var record: JSONValue

    public init(
        schemaVersion: SchemaVersion = .v1, tenantId: String, contentType: String, contentId: String,
        recordId: String, collectedAt: Date, record: JSONValue
    ) {
        self.schemaVersion = schemaVersion
        self.tenantId = tenantId
        self.contentType = contentType
        self.contentId = contentId
        self.recordId = recordId
        self.collectedAt = collectedAt
        self.record = record
    }
}
