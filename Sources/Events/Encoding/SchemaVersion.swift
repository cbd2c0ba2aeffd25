/// The version of a value's schema, `MAJOR.MINOR`, written as a string.
///
/// A reader accepts any minor version of a major it knows (new optional fields
/// are ignored) and refuses an unknown major with a clear error.
public struct SchemaVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let v1 = SchemaVersion(major: 1, minor: 0)

    public var description: String { "\(major).\(minor)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = Self(text: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "schemaVersion \"\(text)\" is not MAJOR.MINOR"))
        }
        self = version
    }

    /// `MAJOR.MINOR`, or nil.
    init?(text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else {
            return nil
        }
        self.init(major: major, minor: minor)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A value written to one of our topics: it names its schema and carries its version.
public protocol TopicValue: Codable, Sendable, Hashable {
    /// The schema file in `schemas/` (without `.schema.json`).
    static var schemaName: String { get }
    /// The major version this code reads and writes.
    static var currentVersion: SchemaVersion { get }
    var schemaVersion: SchemaVersion { get }
    /// Rules a JSON type cannot express (ranges, fields that must agree); run after decoding.
    func validate() throws(EventDecodingError)
}

extension TopicValue {
    public static var currentVersion: SchemaVersion { .v1 }
    public func validate() throws(EventDecodingError) {}
}
