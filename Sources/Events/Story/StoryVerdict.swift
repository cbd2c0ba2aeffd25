public import Foundation

/// An analyst's decision about a story, on the compacted `inboxwatch.story.verdicts` (keyed by
/// story id, so the latest decision is what compaction keeps): a verdict, a severity, or both.
/// The correlator records it on the story (`verdictRecorded`): a false positive or benign
/// verdict closes the story, a severity replaces the detection's.
public struct StoryVerdict: TopicValue {
    public static let schemaName = "story-verdict"

    public var schemaVersion: SchemaVersion
    /// Derived from the story and what was decided, so the same decision sent twice is one.
    public var verdictId: String
    public var storyId: String
    public var tenantId: String
    /// The story's user: the correlator instance that owns the user applies it.
    public var user: String
    public var verdict: StoryView.Verdict.Value?
    public var severity: StoryView.Criticality?
    public var analyst: String
    public var note: String?
    public var decidedAt: Date

    public init(
        schemaVersion: SchemaVersion = Self.currentVersion, storyId: String, tenantId: String, user: String,
        verdict: StoryView.Verdict.Value?, severity: StoryView.Criticality?, analyst: String, note: String? = nil,
        decidedAt: Date
    ) {
        self.schemaVersion = schemaVersion
        self.verdictId = EventID.derived(
            "verdict",
            from: [
                storyId, verdict?.rawValue ?? "-", severity?.rawValue ?? "-", analyst,
                String(decidedAt.millisecondsSince1970),
            ])
        self.storyId = storyId
        self.tenantId = tenantId
        self.user = user
        self.verdict = verdict
        self.severity = severity
        self.analyst = analyst
        self.note = note
        self.decidedAt = decidedAt
    }

    public func validate() throws(EventDecodingError) {
        guard verdict != nil || severity != nil else {
            throw EventDecodingError(
                code: .invalidValue, message: "a verdict, a severity or both must be given", path: "verdict")
        }
        guard !analyst.isEmpty else {
            throw EventDecodingError(code: .invalidValue, message: "the analyst must be named", path: "analyst")
        }
    }
}
