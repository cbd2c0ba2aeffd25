import Events
import Foundation

extension DetectionRule {
    /// Several mailboxes of a tenant forwarding to one external address within a week: one drop
    /// box collecting the mail of a campaign's victims. Each of those mailboxes gets the story.
    public static let forwardingFanIn = DetectionRule(
        detection: .forwardingFanIn, version: "1",
        description:
            "At least the configured number of mailboxes (default 3) forward to the same external address within the window (default 7 days); each of them gets a story.",
        reads: [.inboxRule, .mailboxForwarding, .transportRule],
        evaluate: ForwardingFanIn.evaluate)
}

enum ForwardingFanIn {
    /// This mailbox against what the other mailboxes do. The engine calls ``finding(own:peers:configuration:)``
    /// again when a peer shows up later, so the result does not depend on which came first.
    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        observations(of: input.event, context: input.context).compactMap { own in
            finding(own: own, peers: input.forwardingPeers, configuration: input.configuration)
        }
    }

    /// One observation per external address the event forwards to.
    static func observations(of event: SecurityEvent, context: TenantContext) -> [ForwardingObservation] {
        guard let external = ExternalForwarding.destinations(event, context: context) else { return [] }
        var source = event.source
        source.recordId = event.id
        let summary = ExternalForwarding.describe(event, external: external)
        return external.map { destination in
            ForwardingObservation(
                tenantId: event.tenantId, destination: destination, user: event.user, observedAt: event.time,
                source: source, summary: summary)
        }
    }

    /// The fan-in story's finding for `own`'s mailbox, when enough other mailboxes forward to the
    /// same address within the window of it.
    static func finding(
        own: ForwardingObservation, peers: [ForwardingObservation], configuration: DetectionConfiguration
    ) -> Finding? {
        let window = configuration.fanInWindow.seconds
        // Every observation of the other mailboxes in the window (an audited rule and Graph's
        // snapshot of it are two), so the story holds the same facts whichever arrived first.
        var others: [ForwardingObservation] = []
        for peer in peers
        where peer.tenantId == own.tenantId && peer.destination == own.destination && peer.user != own.user
            && abs(peer.observedAt.timeIntervalSince(own.observedAt)) <= window
            && !others.contains(where: { $0.source.recordId == peer.source.recordId })
        {
            others.append(peer)
        }
        guard Set(others.map(\.user)).count + 1 >= configuration.fanInMailboxes else { return nil }
        others.sort { ($0.observedAt, $0.user, $0.source.recordId) < ($1.observedAt, $1.user, $1.source.recordId) }
        let anchor = fact(own, summary: own.summary)
        // The mailbox's own record last: it is what the evidence points at, so the story reads
        // the same whichever peers were known when it opened.
        let facts = others.map { fact($0, summary: "\($0.user): \($0.summary)") } + [anchor]
        let mailboxes = Array(Set([own.user] + others.map(\.user)))
        return Finding(
            detection: .forwardingFanIn, detectionVersion: DetectionRule.forwardingFanIn.version, criticality: .high,
            confidence: 85, title: "Several mailboxes forward mail to \(own.destination)",
            summary: "\(own.user): \(own.summary); other mailboxes of the tenant forward to the same address",
            condition:
                "\(configuration.fanInMailboxes) or more mailboxes forward to one external address within the window",
            matched: ["destination": own.destination],
            anchor: anchor, events: facts,
            entities: StoryView.Entities(
                users: [own.user], mailboxes: mailboxes.sorted(), externalRecipients: [own.destination]))
    }

    static func fact(_ observation: ForwardingObservation, summary: String) -> EventFact {
        EventFact(
            id: observation.source.recordId, kind: .mailboxForwarding, time: observation.observedAt, summary: summary,
            source: observation.source)
    }
}
