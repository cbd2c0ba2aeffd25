public import Events
import Foundation

extension StoryBook {
    /// Records feedback on the story it names; returns the story event it causes, or nil when
    /// the story already shows it (feedback read twice, or replayed, changes nothing).
    public func record(_ feedback: StoryFeedback, into state: inout UserState) -> StoryEvent? {
        guard let storyId = feedback.storyId, let index = state.stories.firstIndex(where: { $0.view.id == storyId })
        else { return nil }
        var record = state.stories[index]
        let before = record.view
        let kind: StoryEvent.Kind
        switch feedback {
        case .command(let command):
            kind = .actionRequested
            Self.request(command, on: &record.view)
        case .outcome(let outcome):
            kind = .actionCompleted
            Self.complete(outcome, on: &record.view)
        case .verdict(let verdict):
            kind = .verdictRecorded
            Self.judge(verdict, on: &record.view)
        }
        guard record.view != before else { return nil }
        record.view.updatedAt = max(record.view.updatedAt, feedback.time)
        record.sequence += 1
        state.stories[index] = record
        return StoryEvent(
            storyId: storyId, sequence: record.sequence, kind: kind, occurredAt: feedback.time, story: record.view)
    }

    /// Who requested an action whose outcome arrived before its command.
    static let unseenRequester = "unknown (the command was not seen)"

    static func request(_ command: RemediationCommand, on view: inout StoryView) {
        if let index = view.actions.firstIndex(where: { $0.commandId == command.commandId }) {
            // The outcome can be read before its command (they are separate topics): it recorded
            // the action without its requester, which the command now supplies.
            guard view.actions[index].requestedBy == Self.unseenRequester else { return }
            view.actions[index].requestedBy = command.requestedBy.label
            view.actions[index].requestedAt = command.issuedAt
            view.actions.sort { ($0.requestedAt, $0.commandId) < ($1.requestedAt, $1.commandId) }
            return
        }
        view.actions.append(
            StoryView.Action(
                commandId: command.commandId, action: command.action, requestedBy: command.requestedBy.label,
                requestedAt: command.issuedAt))
        view.actions.sort { ($0.requestedAt, $0.commandId) < ($1.requestedAt, $1.commandId) }
    }

    static func complete(_ outcome: RemediationOutcome, on view: inout StoryView) {
        var action =
            view.actions.first { $0.commandId == outcome.commandId }
            ?? StoryView.Action(
                commandId: outcome.commandId, action: outcome.action,
                requestedBy: Self.unseenRequester, requestedAt: outcome.completedAt)
        // The intent (accepted) or a hold never hides a final outcome already recorded.
        if let recorded = action.outcome, recorded.isFinal, !outcome.status.isFinal { return }
        action.outcome = outcome.status
        action.completedAt = outcome.status.isFinal ? outcome.completedAt : nil
        action.detail = outcome.detail
        view.actions.removeAll { $0.commandId == outcome.commandId }
        view.actions.append(action)
        view.actions.sort { ($0.requestedAt, $0.commandId) < ($1.requestedAt, $1.commandId) }
        // Containment done for real (not a dry run) makes an open story contained.
        if outcome.status == .succeeded, view.status == .open, outcome.action.contains {
            view.status = .contained
        }
    }

    static func judge(_ verdict: StoryVerdict, on view: inout StoryView) {
        if let severity = verdict.severity { view.criticality = severity }
        guard let value = verdict.verdict else { return }
        view.verdict = StoryView.Verdict(
            value: value, analyst: verdict.analyst, note: verdict.note, decidedAt: verdict.decidedAt)
        switch value {
        case .falsePositive, .benign:
            view.status = .closed
        case .truePositive:
            if view.status == .closed {
                let contained = view.actions.contains { $0.outcome == .succeeded && $0.action.contains }
                view.status = contained ? .contained : .open
            }
        }
    }
}

extension RemediationCommand.Action {
    /// Whether doing it stops the attacker (as opposed to telling someone, or marking a state).
    var contains: Bool {
        switch self {
        case .removeInboxRule, .clearMailboxForwarding, .disableAccount, .revokeSessions, .forcePasswordChange,
            .moveMessageToJunk, .deleteMessage:
            true
        case .confirmCompromised, .warnUser, .approve: false
        }
    }
}

extension RemediationCommand.Requester {
    /// How a story shows who asked: `analyst:alice@contoso.com`, `autoPolicy:takeover-containment`.
    var label: String {
        switch kind {
        case .analyst: "analyst:\(identity)"
        case .autoPolicy: "autoPolicy:\(rule ?? identity)"
        }
    }
}
