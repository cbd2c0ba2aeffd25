import Events
import Foundation

/// Turns one raw record (an audit record or a Graph resource in its collector envelope) into
/// the ``SecurityEvent`` the detections read, or says precisely why it cannot.
///
/// Every operation becomes an event: what no detection reads today is `.generic`, never an
/// error. Only what cannot be placed is refused: an undecodable envelope, a record that is not
/// an object, an event-like record without a usable event time.
public struct Normalizer: Sendable {
    public init() {}

    /// The event `input` stands for; the same bytes always give the same event (the engine
    /// replays and deduplicates on that).
    public func normalize(_ input: RawInput) throws(NormalizationError) -> SecurityEvent {
        switch input.feed {
        case .audit:
            let envelope = try Self.decode(RawAuditEnvelope.self, input)
            let origin = Origin(
                id: Self.eventID(input) ?? EventID.raw(envelope.recordId), tenantId: envelope.tenantId, input: input)
            return try AuditNormalization.normalize(envelope, origin: origin)
        case .mail:
            let envelope = try Self.decode(RawMailEnvelope.self, input)
            // Hashing the whole resource is costly: only when the header does not carry the id.
            let id =
                Self.eventID(input)
                ?? EventID.resourceChange(
                    resourceID: envelope.resourceId, changeKind: envelope.changeKind.rawValue,
                    resource: envelope.resource)
            let origin = Origin(id: id, tenantId: envelope.tenantId, input: input)
            return try GraphNormalization.normalize(envelope, origin: origin)
        }
    }

    /// The `ce_id` header, when it says something: the collector set it by the same rules.
    private static func eventID(_ input: RawInput) -> String? {
        guard let id = input.cloudEventId?.trimmed(), !id.isEmpty else { return nil }
        return id
    }

    private static func decode<T: TopicValue>(_ type: T.Type, _ input: RawInput) throws(NormalizationError) -> T {
        do {
            return try BoundedJSONDecoder().decodeValue(type, from: input.value)
        } catch {
            throw NormalizationError(
                code: .malformedEnvelope,
                message: "the value at \(input.source.topic)/\(input.source.partition)@\(input.source.offset) "
                    + "is not a \(T.schemaName): \(error.description)")
        }
    }
}

extension Normalizer {
    /// What every event of one record shares, whatever its kind.
    struct Origin: Sendable {
        var id: String
        var tenantId: String
        /// The record key's subject, as the collector wrote it; nil when the key has none.
        var keySubject: String?
        var source: SourceReference

        init(id: String, tenantId: String, input: RawInput) {
            self.id = id
            self.tenantId = tenantId.keyNormalized
            var source = input.source
            source.recordId = id
            self.source = source
            // Kept byte for byte: state and stories are keyed by this text.
            if let slash = input.key.firstIndex(of: "/") {
                let subject = String(input.key[input.key.index(after: slash)...])
                keySubject = subject.isEmpty ? nil : subject
            }
        }

        /// The key's subject, or what the collector would have keyed the record by.
        func user(orKeyFor user: String?, userType: Int? = nil) -> String {
            self.user(orKey: RecordKey(tenantID: tenantId, user: user, userType: userType))
        }

        func user(orKey key: @autoclosure () -> RecordKey) -> String {
            if let keySubject { return keySubject }
            return String(key().description.drop { $0 != "/" }.dropFirst())
        }

        func event(
            kind: SecurityEvent.Kind, user: String, time: Date, operation: String, actorType: SecurityEvent.ActorType,
            ipAddress: String? = nil, parameters: [String: String] = [:]
        ) -> SecurityEvent {
            SecurityEvent(
                id: id, kind: kind, tenantId: tenantId, user: user, time: time, ipAddress: ipAddress,
                operation: operation, actorType: actorType, parameters: parameters, source: source)
        }
    }
}
