public import Events
import Foundation

/// Turns findings into story events: a finding for an incident the user already has a story
/// about adds to it (evidence added, severity raised); any other opens a story. Pure: the same
/// findings in the same order give the same events, byte for byte, on every instance.
public struct StoryBook: Sendable {
    /// A finding later than this after a story's latest evidence opens a new story.
    public var storyWindow: Duration
    public var limits: StateLimits

    public init(storyWindow: Duration = .seconds(7 * 24 * 3600), limits: StateLimits = StateLimits()) {
        self.storyWindow = storyWindow
        self.limits = limits
    }

    /// Merges one finding into the user's stories; returns the story event it causes, if any.
    /// `isVIP`: the user is one whose stories are a level more critical.
    public func merge(_ finding: Finding, tenantId: String, user: String, into state: inout UserState, isVIP: Bool)
        -> StoryEvent?
    {
        let criticality = isVIP ? Self.raised(finding.criticality) : finding.criticality
        let latest = finding.events.map(\.time).max() ?? finding.anchor.time
        func isOpen(_ record: UserState.StoryRecord) -> Bool {
            record.view.status != .closed && latest.timeIntervalSince(record.lastEvidenceAt) <= storyWindow.seconds
                && record.view.openedAt.timeIntervalSince(latest) <= storyWindow.seconds
        }
        let sameDetection = state.stories.firstIndex { $0.view.detection == finding.detection.rawValue && isOpen($0) }
        // A finding that joins open stories goes to the one with the latest evidence.
        let joined =
            finding.joinsOpenStory
            ? state.stories.indices.filter { isOpen(state.stories[$0]) }.max {
                (state.stories[$0].lastEvidenceAt, state.stories[$0].view.id)
                    < (state.stories[$1].lastEvidenceAt, state.stories[$1].view.id)
            } : nil
        if let index = sameDetection ?? joined {
            var record = state.stories[index]
            let before = record.view
            add(finding, to: &record.view)
            let wasRaised = criticality > record.view.criticality
            if wasRaised {
                record.view.criticality = criticality
                record.view.confidence = max(record.view.confidence, finding.confidence)
            }
            guard record.view != before else { return nil }
            record.view.updatedAt = max(record.view.updatedAt, latest)
            record.lastEvidenceAt = max(record.lastEvidenceAt, latest)
            record.sequence += 1
            state.stories[index] = record
            return StoryEvent(
                storyId: record.view.id, sequence: record.sequence, kind: wasRaised ? .severityRaised : .evidenceAdded,
                occurredAt: latest, story: record.view)
        }
        var id = EventID.story(
            tenantID: tenantId, user: user, detection: finding.detection.rawValue, firstRecordID: finding.anchor.id)
        // A story closed (false positive, benign) and found again from the same record is a new
        // story: it needs an id of its own, or consumers would take its events for the old one's.
        var reopening = 1
        while state.stories.contains(where: { $0.view.id == id }) {
            reopening += 1
            id = EventID.story(
                tenantID: tenantId, user: user, detection: finding.detection.rawValue,
                firstRecordID: "\(finding.anchor.id)#\(reopening)")
        }
        var view = StoryView(
            id: id, tenantId: tenantId, user: user, detection: finding.detection.rawValue, title: finding.title,
            criticality: criticality, confidence: finding.confidence, status: .open, summary: finding.summary,
            openedAt: finding.anchor.time, updatedAt: latest)
        add(finding, to: &view)
        state.stories.append(UserState.StoryRecord(view: view, sequence: 1, lastEvidenceAt: latest))
        return StoryEvent(storyId: id, sequence: 1, kind: .opened, occurredAt: latest, story: view)
    }

    /// A VIP's story is one level more critical.
    static func raised(_ criticality: StoryView.Criticality) -> StoryView.Criticality {
        let all = StoryView.Criticality.allCases
        return all[min(all.count - 1, all.firstIndex(of: criticality)! + 1)]
    }

    /// Adds what the finding shows and the story does not yet: timeline entries and references
    /// by record id, evidence by condition and record, entities by value. Sorted, so the order
    /// findings arrived in does not show.
    func add(_ finding: Finding, to view: inout StoryView) {
        for fact in finding.events where !view.references.contains(where: { $0.recordId == fact.id }) {
            view.timeline.append(StoryView.TimelineEntry(time: fact.time, event: fact.summary, source: fact.source))
            view.references.append(fact.source)
        }
        view.timeline.sort { ($0.time, $0.source?.recordId ?? "") < ($1.time, $1.source?.recordId ?? "") }
        view.references.sort { $0.recordId < $1.recordId }
        let evidence = StoryView.Evidence(
            detection: finding.detection.rawValue, detectionVersion: finding.detectionVersion,
            condition: finding.condition, matched: finding.matched, source: finding.anchor.source)
        let triggering = finding.events.last?.source ?? finding.anchor.source
        var placed = evidence
        placed.source = triggering
        if !view.evidence.contains(where: {
            $0.condition == placed.condition && $0.source?.recordId == triggering.recordId
        }) {
            view.evidence.append(placed)
            view.evidence.sort { ($0.source?.recordId ?? "", $0.condition) < ($1.source?.recordId ?? "", $1.condition) }
        }
        view.entities.merge(finding.entities)
        trim(&view)
    }

    private func trim(_ view: inout StoryView) {
        let cap = limits.storyEntries
        if view.timeline.count > cap { view.timeline = Array(view.timeline.suffix(cap)) }
        if view.evidence.count > cap { view.evidence = Array(view.evidence.suffix(cap)) }
        if view.references.count > cap { view.references = Array(view.references.suffix(cap)) }
    }
}

extension StoryView.Entities {
    /// Adds the other's entities, each once, sorted.
    mutating func merge(_ other: Self) {
        users = Array(Set(users + other.users)).sorted()
        mailboxes = Array(Set(mailboxes + other.mailboxes)).sorted()
        externalRecipients = Array(Set(externalRecipients + other.externalRecipients)).sorted()
        messageIds = Array(Set(messageIds + other.messageIds)).sorted()
        ipAddresses = Array(Set(ipAddresses + other.ipAddresses)).sorted {
            ($0.address, $0.country ?? "") < ($1.address, $1.country ?? "")
        }
        rules = Array(Set(rules + other.rules)).sorted { ($0.name ?? "", $0.id ?? "") < ($1.name ?? "", $1.id ?? "") }
    }
}
