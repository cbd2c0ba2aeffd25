public import Events

/// How the stories a pipeline told compare with what the scenarios planted: each expected
/// story found (same user, detection and criticality) or missing, and every story nobody
/// planted. What the demo prints at its end, and what its test checks.
public struct GroundTruthScore: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var expected: GroundTruth.ExpectedStory
        /// The story that matches it, if any.
        public var storyId: String?
    }

    public var lines: [Line]
    /// Stories no scenario planted (user, detection, criticality, id).
    public var unexpected: [StoryView]

    /// Compares `stories` with `truth`. A story an analyst never sees is left out: one closed
    /// without a verdict because it was merged into an account takeover story.
    public init(truth: GroundTruth, stories: [StoryView]) {
        let visible = stories.filter { !($0.status == .closed && $0.verdict == nil) }
        var unmatched = visible.sorted { $0.id < $1.id }
        lines = truth.expectedStories.map { expected in
            let index = unmatched.firstIndex {
                $0.user == expected.user.lowercased() && $0.detection == expected.detection.rawValue
                    && $0.criticality == expected.criticality
            }
            let story = index.map { unmatched.remove(at: $0) }
            return Line(expected: expected, storyId: story?.id)
        }
        unexpected = unmatched
    }

    public var found: Int { lines.count { $0.storyId != nil } }
    public var missing: [GroundTruth.ExpectedStory] { lines.filter { $0.storyId == nil }.map(\.expected) }

    /// Found over expected plus unexpected: 1 only when every planted story was told and nothing else.
    public var value: Double {
        let denominator = lines.count + unexpected.count
        return denominator == 0 ? 1 : Double(found) / Double(denominator)
    }

    public var isPerfect: Bool { found == lines.count && unexpected.isEmpty }
}
