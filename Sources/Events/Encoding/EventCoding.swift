import Foundation

/// Writes topic values deterministically: sorted keys, no escaped slashes, times
/// in RFC 3339 UTC with milliseconds. The same value always gives the same bytes.
public struct EventEncoder: Sendable {
    public init() {}

    public func encode<T: TopicValue>(_ value: T) throws(EventDecodingError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(CloudEventHeaders.format(date))
        }
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw EventDecodingError(code: .invalidValue, message: "cannot encode \(T.schemaName): \(error)")
        }
    }
}

extension BoundedJSONDecoder {
    /// Decodes a topic value: limits, then the schema version (an unknown major
    /// is refused before anything else is read), then the value itself.
    public func decodeValue<T: TopicValue>(_ type: T.Type, from bytes: [UInt8]) throws(EventDecodingError) -> T {
        let tree = try parse(bytes)
        // The raw envelopes, read by hand from the tree when they are well formed: the Decoder
        // protocol's generic calls were a quarter of the correlator's time. Anything unusual
        // takes the general path, which also says precisely what is wrong.
        if let fast = T.self as? any TreeReadable.Type, let value = fast.read(tree) as? T,
            value.schemaVersion.major == T.currentVersion.major
        {
            try value.validate()
            return value
        }
        let value = try Self.mappingErrors { () throws -> T in
            let version = try T.readVersion(tree)
            guard version.major == T.currentVersion.major else {
                throw EventDecodingError(
                    code: .unsupportedVersion,
                    message: "\(T.schemaName) schemaVersion \(version) is not readable by this version of "
                        + "Inboxwatch (reads \(T.currentVersion.major).x): upgrade the reader",
                    path: "schemaVersion")
            }
            return try JSONValueDecoder.decode(T.self, from: tree, codingPath: [])
        }
        try value.validate()
        return value
    }
}

extension TopicValue {
    /// Reads only the schema version, where this value keeps it.
    static func readVersion(_ tree: JSONValue) throws -> SchemaVersion {
        if let ocsf = Self.self as? any OCSFVersioned.Type { return try ocsf.readOCSFVersion(tree) }
        return try JSONValueDecoder.decode(VersionProbe.self, from: tree, codingPath: []).schemaVersion
    }
}

/// A value whose schema version lives under `unmapped`, where OCSF puts what it does not define.
protocol OCSFVersioned {
    static func readOCSFVersion(_ tree: JSONValue) throws -> SchemaVersion
}

private struct VersionProbe: Decodable {
    var schemaVersion: SchemaVersion
}

/// A topic value that can be read straight from a parsed tree; nil sends the reader down the
/// general (Codable) path.
protocol TreeReadable {
    static func read(_ tree: JSONValue) -> Self?
}

extension JSONValue {
    /// The member's string, when the value is an object that has one.
    func string(_ key: String) -> String? {
        guard case .object(let members) = self, case .string(let text)? = members[key] else { return nil }
        return text
    }
}

extension RawAuditEnvelope: TreeReadable {
    static func read(_ tree: JSONValue) -> RawAuditEnvelope? {
        guard case .object(let members) = tree,
            let version = tree.string("schemaVersion").flatMap(SchemaVersion.init(text:)),
            let tenantId = tree.string("tenantId"), let contentType = tree.string("contentType"),
            let contentId = tree.string("contentId"), let recordId = tree.string("recordId"),
            let collectedAt = tree.string("collectedAt").flatMap(CloudEventHeaders.parse),
            let record = members["record"]
        else { return nil }
        return RawAuditEnvelope(
            schemaVersion: version, tenantId: tenantId, contentType: contentType, contentId: contentId,
            recordId: recordId, collectedAt: collectedAt, record: record)
    }
}

extension RawMailEnvelope: TreeReadable {
    static func read(_ tree: JSONValue) -> RawMailEnvelope? {
        guard case .object(let members) = tree,
            let version = tree.string("schemaVersion").flatMap(SchemaVersion.init(text:)),
            let tenantId = tree.string("tenantId"),
            let resourceKind = tree.string("resourceKind").flatMap(ResourceKind.init(rawValue:)),
            let changeKind = tree.string("changeKind").flatMap(ChangeKind.init(rawValue:)),
            let resourceId = tree.string("resourceId"),
            let collectedAt = tree.string("collectedAt").flatMap(CloudEventHeaders.parse),
            let resource = members["resource"]
        else { return nil }
        var mailbox: String?
        switch members["mailbox"] {
        case nil, .null?: mailbox = nil
        case .string(let text)?: mailbox = text
        default: return nil
        }
        return RawMailEnvelope(
            schemaVersion: version, tenantId: tenantId, resourceKind: resourceKind, changeKind: changeKind,
            resourceId: resourceId, mailbox: mailbox, collectedAt: collectedAt, resource: resource)
    }
}
