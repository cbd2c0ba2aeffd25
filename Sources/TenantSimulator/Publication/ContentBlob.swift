public import Foundation

/// One blob of the Management Activity API: records of one content type that
/// became available together at `contentCreated`.
public struct ContentBlob: Sendable, Hashable {
    public var contentId: String
    public var contentType: ManagementContentType
    public var contentCreated: Date
    /// The records inside, in publication order.
    public var copies: [RecordCopy]

    public var contentExpiration: Date { contentCreated.addingTimeInterval(Self.retention) }

    /// Microsoft keeps a blob fetchable for 7 days.
    public static let retention: TimeInterval = 7 * 24 * 3600

    /// One appearance of a record in a blob; a duplicate is a second appearance.
    public struct RecordCopy: Sendable, Hashable {
        /// Index into the timeline's audit records.
        public var record: Int
        /// Set on duplicates: their keys come in another order.
        public var reordered: Bool
    }
}
