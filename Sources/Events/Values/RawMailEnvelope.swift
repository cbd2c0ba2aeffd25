public import Foundation

/// A Microsoft Graph resource as collected, on `inboxwatch.raw.mail`.
public struct RawMailEnvelope: TopicValue {
    public static let schemaName = "raw-mail-envelope"
    /// 1.1 added the `user` and `userReport` resource kinds.
    public static var currentVersion: SchemaVersion { SchemaVersion(major: 1, minor: 1) }

    /// Which Graph resource the envelope carries.
    public enum ResourceKind: String, Sendable, Hashable, Codable, CaseIterable {
        case signIn, riskyUser, message, messageRule, mailboxSettings, threatSubmission, alert, domainList
        /// A directory user's profile (department, job title, manager): context, e.g. for VIPs.
        case user
        /// A message a user forwarded to the phishing-report mailbox, with the reported original's
        /// sender, subject and internet message id.
        case userReport
    }

    /// What happened to the resource, as a delta query or a poll tells it.
    public enum ChangeKind: String, Sendable, Hashable, Codable, CaseIterable {
        case created, updated, removed
    }

    public var schemaVersion: SchemaVersion
    public var tenantId: String
    public var resourceKind: ResourceKind
    public var changeKind: ChangeKind
    /// The resource's Graph `id`. Its `ce_id` is `EventID.resourceChange` (id, change and content):
    /// Graph ids name the resource, not the change.
    public var resourceId: String
    /// The mailbox the resource belongs to, for per-mailbox resources.
    public var mailbox: String?
    public var collectedAt: Date
    /// The resource exactly as Graph returned it.
    public var resource: JSONValue

    public init(
        schemaVersion: SchemaVersion = Self.currentVersion, tenantId: String, resourceKind: ResourceKind,
        changeKind: ChangeKind,
        resourceId: String, mailbox: String? = nil, collectedAt: Date, resource: JSONValue
    ) {
        self.schemaVersion = schemaVersion
        self.tenantId = tenantId
        self.resourceKind = resourceKind
        self.changeKind = changeKind
        self.resourceId = resourceId
        self.mailbox = mailbox
        self.collectedAt = collectedAt
        self.resource = resource
    }
}
