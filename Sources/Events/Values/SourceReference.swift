/// Where a fact came from: a record on a topic, by position and by its own id.
public struct SourceReference: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The record's `ce_id` (Microsoft's record or resource id for raw events).
    public var recordId: String

    public init(topic: String, partition: Int32, offset: Int64, recordId: String) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.recordId = recordId
    }
}
