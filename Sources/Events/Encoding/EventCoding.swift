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
