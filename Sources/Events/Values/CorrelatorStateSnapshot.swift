public import Foundation

/// One user's correlator state, on the compacted `inboxwatch.correlator.state`.
/// It records the input offsets it reflects, so a restore skips what it already
/// contains and never applies an input twice.
public struct CorrelatorStateSnapshot: TopicValue {
    public static let schemaName = "correlator-state-snapshot"

    public var schemaVersion: SchemaVersion
    /// `tenant/subject`, the record key.
    public var key: String
    /// Per input partition, the offset of the next record not yet reflected.
    public var covers: [SourceOffset]
    public var updatedAt: Date
    /// Version of the engine's state layout inside `state`, separate from the envelope's.
    public var stateVersion: Int
    public var state: JSONValue

    /// The next offset to read on one input partition.
    public struct SourceOffset: Sendable, Hashable, Codable {
        public var topic: String
        public var partition: Int32
        public var nextOffset: Int64

        public init(topic: String, partition: Int32, nextOffset: Int64) {
            self.topic = topic
            self.partition = partition
            self.nextOffset = nextOffset
        }
    }

    public init(
        schemaVersion: SchemaVersion = .v1, key: String, covers: [SourceOffset], updatedAt: Date, stateVersion: Int,
        state: JSONValue
    ) {
        self.schemaVersion = schemaVersion
        self.key = key
        self.covers = covers
        self.updatedAt = updatedAt
        self.stateVersion = stateVersion
        self.state = state
    }
}
