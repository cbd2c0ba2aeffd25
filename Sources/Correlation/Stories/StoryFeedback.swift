public import Events
import Foundation

/// Something said about a story outside the raw feeds: a remediation requested for it, the
/// outcome of one, or an analyst's verdict. Read from `inboxwatch.remediation.commands`,
/// `inboxwatch.remediation.outcomes` and `inboxwatch.story.verdicts` by every correlator
/// instance (a table each keeps whole); the instance owning the story's user records it.
public enum StoryFeedback: Sendable, Hashable {
    case command(RemediationCommand)
    case outcome(RemediationOutcome)
    case verdict(StoryVerdict)

    /// The story it is about; feedback about no story (a command an analyst sent for a user
    /// alone) changes no story.
    public var storyId: String? {
        switch self {
        case .command(let command): command.storyId
        case .outcome(let outcome): outcome.storyId
        case .verdict(let verdict): verdict.storyId
        }
    }

    /// Identifies the piece of feedback: the same one read twice is recorded once.
    var id: String {
        switch self {
        case .command(let command): "command:\(command.commandId)"
        case .outcome(let outcome): "outcome:\(outcome.commandId):\(outcome.status.rawValue):\(outcome.detail)"
        case .verdict(let verdict): "verdict:\(verdict.verdictId)"
        }
    }

    /// When it was said, for the story event's time.
    var time: Date {
        switch self {
        case .command(let command): command.issuedAt
        case .outcome(let outcome): outcome.completedAt
        case .verdict(let verdict): verdict.decidedAt
        }
    }
}

/// Every instance's copy of the feedback, by story: kept so that an instance taking a user's
/// partition over can record what arrived while no one (or a crashed instance) owned it.
/// Bounded: per story, and in stories (the oldest stories' feedback is forgotten first).
struct FeedbackTable: Sendable {
    private var slots = BoundedSlots<StoryFeedback>(perKey: 64, keys: 50_000)

    func feedback(for storyId: String) -> [StoryFeedback] { slots[storyId] }

    /// Adds one; false when the table already holds it.
    mutating func add(_ feedback: StoryFeedback) -> Bool {
        guard let storyId = feedback.storyId else { return false }
        return slots.add(feedback, to: storyId, isSame: { $0.id == feedback.id })
    }
}
