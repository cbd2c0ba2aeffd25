public import Foundation

/// A change to a story, on `inboxwatch.stories`: what changed, and the whole
/// story as it now stands, so a consumer needs no earlier event to show it.
public struct StoryEvent: TopicValue {
    public static let schemaName = "story-event"
    /// 1.1 added the `verdictRecorded` kind and the story's `verdict`.
    public static var currentVersion: SchemaVersion { SchemaVersion(major: 1, minor: 1) }

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case opened, evidenceAdded, severityRaised, actionRequested, actionCompleted, verdictRecorded, closed
    }

    public var schemaVersion: SchemaVersion
    public var storyId: String
    /// 1 for `opened`, then +1 per event of the story: consumers keep the highest.
    public var sequence: Int
    public var kind: Kind
    public var occurredAt: Date
    public var story: StoryView

    public init(
        schemaVersion: SchemaVersion = Self.currentVersion, storyId: String, sequence: Int, kind: Kind,
        occurredAt: Date,
        story: StoryView
    ) {
        self.schemaVersion = schemaVersion
        self.storyId = storyId
        self.sequence = sequence
        self.kind = kind
        self.occurredAt = occurredAt
        self.story = story
    }

    public func validate() throws(EventDecodingError) {
        guard storyId == story.id else {
            throw EventDecodingError(
                code: .invalidValue, message: "storyId \(storyId) differs from story.id \(story.id)", path: "storyId")
        }
        guard sequence >= 1 else {
            throw EventDecodingError(code: .invalidValue, message: "sequence starts at 1", path: "sequence")
        }
        guard (0...100).contains(story.confidence) else {
            throw EventDecodingError(code: .invalidValue, message: "confidence is 0 to 100", path: "story.confidence")
        }
    }
}
