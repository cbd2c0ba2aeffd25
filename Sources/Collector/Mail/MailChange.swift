public import Events
public import Foundation

/// One change to a Graph resource, ready to publish on the raw mail topic: the envelope, the
/// key it goes under, and its event time.
public struct MailChange: Sendable, Hashable {
    public var envelope: RawMailEnvelope
    public var key: RecordKey
    public var eventTime: Date

    public init(envelope: RawMailEnvelope, key: RecordKey, eventTime: Date) {
        self.envelope = envelope
        self.key = key
        self.eventTime = eventTime
    }

    /// Its `ce_id`, as ``RecordPublisher/mailRecord(_:key:source:eventTime:)`` writes it: the
    /// same change seen twice has one id, a resource that changed gets a new one.
    public var id: String {
        EventID.resourceChange(
            resourceID: envelope.resourceId, changeKind: envelope.changeKind.rawValue, resource: envelope.resource)
    }

    /// What a removed resource is published as: Graph's own `@removed` shape from delta rounds.
    public static func removedResource(id: String, reason: String = "deleted") -> JSONValue {
        .object(["id": .string(id), "@removed": .object(["reason": .string(reason)])])
    }
}
