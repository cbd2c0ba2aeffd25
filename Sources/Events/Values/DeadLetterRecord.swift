public import Foundation

/// A record that could not be processed, with why, on `inboxwatch.deadletter`:
/// nothing is dropped silently, and the original bytes are kept to replay.
public struct DeadLetterRecord: TopicValue {
    public static let schemaName = "dead-letter-record"

    public var schemaVersion: SchemaVersion
    /// What went wrong, for a person.
    public var reason: String
    /// A stable code to group by (`malformedJSON`, `unsupportedVersion`, `invalidSignature`, ...).
    public var errorClass: String
    /// The stage that gave up (`collector.audit`, `correlator`, `actions`).
    public var stage: String
    /// The tenant the record belongs to, when known.
    public var tenantId: String?
    /// Where the record was read from Kafka; absent when it never reached Kafka
    /// (a collector that could not make sense of what Microsoft sent).
    public var sourceTopic: String?
    public var sourcePartition: Int32?
    public var sourceOffset: Int64?
    /// Where a record that never reached Kafka came from (a content blob or Graph URI, without secrets).
    public var sourceURI: String?
    /// Base64 of the original key, if it had one.
    public var originalKey: String?
    /// Base64 of the original value bytes.
    public var originalValue: String?
    public var failedAt: Date

    public init(
        schemaVersion: SchemaVersion = .v1, reason: String, errorClass: String, stage: String,
        tenantId: String? = nil, sourceTopic: String? = nil, sourcePartition: Int32? = nil, sourceOffset: Int64? = nil,
        sourceURI: String? = nil, originalKey: [UInt8]?, originalValue: [UInt8]?, failedAt: Date
    ) {
        self.schemaVersion = schemaVersion
        self.reason = reason
        self.errorClass = errorClass
        self.stage = stage
        self.tenantId = tenantId
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.sourceURI = sourceURI
        self.originalKey = originalKey.map { Data($0).base64EncodedString() }
        self.originalValue = originalValue.map { Data($0).base64EncodedString() }
        self.failedAt = failedAt
    }

    public func validate() throws(EventDecodingError) {
        let position = [sourceTopic != nil, sourcePartition != nil, sourceOffset != nil]
        guard position.allSatisfy({ $0 }) || position.allSatisfy({ !$0 }) else {
            throw EventDecodingError(
                code: .invalidValue, message: "a Kafka source needs its topic, partition and offset",
                path: "sourceTopic")
        }
        guard sourceTopic != nil || sourceURI != nil else {
            throw EventDecodingError(
                code: .missingField, message: "a dead letter names its Kafka position or its source URI",
                path: "sourceURI")
        }
    }
}
