public import Foundation

/// One mailbox seen sending mail to an external address (an inbox rule, mailbox forwarding or a
/// transport rule), on the compacted `inboxwatch.correlator.forwarding` (key
/// `tenant/destination/user`). Forwarding fan-in — several mailboxes forwarding to one address —
/// spans users, so it cannot be judged inside one user's partition: each correlator instance
/// writes what its users do here and reads the whole topic back, and the instance that owns a
/// mailbox opens its fan-in story once enough others forward to the same address.
public struct ForwardingObservation: TopicValue {
    public static let schemaName = "forwarding-observation"

    public var schemaVersion: SchemaVersion
    public var tenantId: String
    /// The external address, lower-cased, without `smtp:`.
    public var destination: String
    /// The mailbox's record key subject (`alice@contoso.com`).
    public var user: String
    /// Event time of the change that set the forwarding.
    public var observedAt: Date
    /// The record that set it: where it sits on its raw topic and its `ce_id`.
    public var source: SourceReference
    /// What set it, in words (`inbox rule "Sync" sends mail to x@y.example`).
    public var summary: String

    public init(
        schemaVersion: SchemaVersion = Self.currentVersion, tenantId: String, destination: String, user: String,
        observedAt: Date, source: SourceReference, summary: String
    ) {
        self.schemaVersion = schemaVersion
        self.tenantId = tenantId
        self.destination = destination.lowercased()
        self.user = user
        self.observedAt = observedAt
        self.source = source
        self.summary = summary
    }

    /// The compaction key: one observation per mailbox and destination survives, the latest.
    public var key: String { "\(tenantId)/\(destination)/\(user)" }

    public func validate() throws(EventDecodingError) {
        guard destination.contains("@") else {
            throw EventDecodingError(
                code: .invalidValue, message: "the destination \(destination) is not an address", path: "destination")
        }
        guard !user.isEmpty else {
            throw EventDecodingError(code: .invalidValue, message: "the user must be given", path: "user")
        }
        guard !source.recordId.isEmpty else {
            throw EventDecodingError(
                code: .invalidValue, message: "the source record id must be given", path: "source.recordId")
        }
    }
}
