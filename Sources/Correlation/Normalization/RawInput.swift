public import Events

/// One record as it came off a raw topic, before the normalizer reads it.
public struct RawInput: Sendable, Hashable {
    /// Which raw topic the record came from, which says what its value is.
    public enum Feed: String, Sendable, Hashable, Codable {
        /// `inboxwatch.raw.audit`: a ``RawAuditEnvelope``.
        case audit
        /// `inboxwatch.raw.mail`: a ``RawMailEnvelope``.
        case mail
    }

    public var feed: Feed
    /// The record key as written (`tenant/subject`).
    public var key: String
    public var value: [UInt8]
    /// The `ce_id` header, when present; the envelope's own ids are used otherwise.
    public var cloudEventId: String?
    /// Topic, partition, offset; `recordId` is filled in by the normalizer when it knows it better.
    public var source: SourceReference

    public init(feed: Feed, key: String, value: [UInt8], cloudEventId: String?, source: SourceReference) {
        self.feed = feed
        self.key = key
        self.value = value
        self.cloudEventId = cloudEventId
        self.source = source
    }
}

/// Why a raw record could not become a ``SecurityEvent``; the record goes to the dead-letter
/// topic with this reason.
public struct NormalizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Groups dead letters (`malformedEnvelope`, `missingEventTime`, ...); extensible.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The envelope is not valid JSON or does not match its schema.
        public static let malformedEnvelope = Code(rawValue: "malformedEnvelope")
        /// The record inside has no usable event time.
        public static let missingEventTime = Code(rawValue: "missingEventTime")
        /// The record inside is not a JSON object, or a field the kind needs has the wrong type.
        public static let malformedRecord = Code(rawValue: "malformedRecord")
    }

    public var code: Code
    public var message: String
    /// Dead letters are never retried: the same bytes fail the same way.
    public var isRetriable: Bool { false }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
