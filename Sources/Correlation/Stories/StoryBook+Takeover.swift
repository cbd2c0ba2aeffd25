import Events
import Foundation

extension StoryBook {
    /// Closes the user's open forwarding and hiding stories that rest on a record the takeover
    /// story now holds: they were opened before the sign-in that makes them a takeover was read
    /// (it arrived later than the grace), and an analyst should read them in the takeover story.
    /// Returns the `closed` events. In event-time order they would never have opened, so the open
    /// stories are the same whichever order the records came in.
    func closeMerged(into takeoverId: String, state: inout UserState) -> [StoryEvent] {
        guard let takeover = state.stories.first(where: { $0.view.id == takeoverId }) else { return [] }
        let held = Set(takeover.view.references.map(\.recordId))
        var events: [StoryEvent] = []
        for index in state.stories.indices {
            var record = state.stories[index]
            guard record.view.status != .closed,
                [Detection.externalForwarding.rawValue, Detection.hidingRule.rawValue].contains(record.view.detection),
                record.view.references.contains(where: { held.contains($0.recordId) })
            else { continue }
            record.view.status = .closed
            record.view.summary += " Merged into the account takeover story \(takeoverId)."
            record.view.updatedAt = max(record.view.updatedAt, takeover.view.updatedAt)
            record.sequence += 1
            state.stories[index] = record
            events.append(
                StoryEvent(
                    storyId: record.view.id, sequence: record.sequence, kind: .closed,
                    occurredAt: record.view.updatedAt, story: record.view))
        }
        return events
    }
}
