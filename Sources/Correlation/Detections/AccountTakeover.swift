import Events
import Foundation

extension DetectionRule {
    /// A suspicious sign-in followed by what an attacker does to keep the mailbox: a forwarding or
    /// hiding rule, a delegation, an MFA or security-info change, or mass deletion.
    public static let accountTakeover = DetectionRule(
        detection: .accountTakeover, version: "1",
        description:
            "A suspicious sign-in followed within the window by a forwarding or hiding rule, a mailbox delegation (FullAccess, SendAs, SendOnBehalf), an MFA or security-info change, or mass deletion.",
        reads: [
            .signIn, .inboxRule, .mailboxForwarding, .transportRule, .mailboxDelegation, .securityInfoChange,
            .mailDeleted,
        ],
        evaluate: AccountTakeover.evaluate)
}

enum AccountTakeover {
    /// Rights that let someone else read or send as the mailbox.
    static let delegatedRights: Set<String> = ["FullAccess", "SendAs", "SendOnBehalf"]

    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        let event = input.event
        if let step = persistence(event, context: input.context, configuration: input.configuration, state: input.state)
        {
            let signIns = suspiciousSignIns(before: event, input: input)
            guard let first = signIns.first else { return [] }
            return [finding(signIn: first, signIns: signIns, step: step, user: event.user)]
        }
        // A sign-in that arrived after what it led to (later than the grace).
        guard event.kind == .signIn, let assessment = input.assessment, assessment.isSuspicious else { return [] }
        let latest = event.time.addingTimeInterval(input.configuration.takeoverWindow.seconds)
        let steps = input.state.persistence.filter { $0.fact.time >= event.time && $0.fact.time <= latest }
        guard !steps.isEmpty else { return [] }
        let signIn = UserState.SuspiciousSignIn(
            fact: EventFact(event, summary: SignInAssessment.summary(event, assessment)), reasons: assessment.reasons)
        return steps.map { finding(signIn: signIn, signIns: [signIn], step: $0, user: event.user) }
    }

    /// Whether a rule the event sets belongs to a takeover rather than to a story of its own: a
    /// suspicious sign-in precedes it within the window (for Graph's snapshot of a rule, any the
    /// state holds: the snapshot carries the time it was collected, hours after the rule).
    static func claims(_ event: SecurityEvent, input: DetectionRule.Input) -> Bool {
        !suspiciousSignIns(before: event, input: input).isEmpty
    }

    /// The user's suspicious sign-ins in the window before the event: when there is one, what the
    /// event does is the attacker's, and the takeover story (not a story of its own) tells it.
    static func suspiciousSignIns(before event: SecurityEvent, input: DetectionRule.Input)
        -> [UserState.SuspiciousSignIn]
    {
        // Graph's snapshot of a rule says only that the rule existed when it was collected: it
        // may have been made any time before, so every suspicious sign-in the state still holds
        // counts. So the snapshot and the audit record of one rule tell the same story, in
        // whichever order they arrive (audit records can be hours late).
        let window = event.isSnapshot ? .infinity : input.configuration.takeoverWindow.seconds
        let earliest = event.time.addingTimeInterval(-window)
        return input.state.suspiciousSignIns.filter { $0.fact.time >= earliest && $0.fact.time <= event.time }
    }

    /// What the event does to keep hold of the mailbox, if anything; judged against the state
    /// before it (mass deletion adds up the deletions before).
    static func persistence(
        _ event: SecurityEvent, context: TenantContext, configuration: DetectionConfiguration, state: UserState
    ) -> UserState.Persistence? {
        let what: String
        var entities = event.entities
        switch event.kind {
        case .inboxRule, .mailboxForwarding, .transportRule:
            if let external = ExternalForwarding.destinations(event, context: context), let rule = event.rule {
                what =
                    ExternalForwarding.describe(event, external: external)
                    + (ExternalForwarding.keepsCopy(event, rule: rule) ? "" : ", keeping no copy")
                entities = ExternalForwarding.entities(event, external: external)
            } else if let signals = HidingRule.signals(event, configuration: configuration) {
                what = HidingRule.describe(event, signals: signals)
            } else {
                return nil
            }
        case .mailboxDelegation:
            guard event.actorType.isPerson, let delegation = event.delegation else { return nil }
            let rights = delegation.rights.filter(delegatedRights.contains)
            guard !rights.isEmpty else { return nil }
            let grantee = delegation.grantee.map { " to \($0)" } ?? ""
            let mailbox = delegation.mailbox.map { " on \($0)" } ?? ""
            what = "granted \(rights.joined(separator: ", "))\(mailbox)\(grantee)"
            if let mailbox = delegation.mailbox { entities.mailboxes = [mailbox] }
        case .securityInfoChange:
            guard event.actorType.isPerson else { return nil }
            what = "changed security info (\(event.operation))"
        case .mailDeleted:
            guard event.actorType.isPerson else { return nil }
            let items = Int(event.parameters["count"] ?? "") ?? 0
            let start = event.time.addingTimeInterval(-configuration.massDeletionWindow.seconds)
            let before = state.deletions.filter { $0.time >= start && $0.time <= event.time }.reduce(0) {
                $0 + $1.items
            }
            // Only the deletion that crosses the threshold: the ones after add nothing new.
            guard before < configuration.massDeletionItems, before + items >= configuration.massDeletionItems
            else { return nil }
            let minutes = Int(configuration.massDeletionWindow.seconds / 60)
            what = "deleted \(before + items) items within \(minutes) minutes"
        default:
            return nil
        }
        return UserState.Persistence(fact: EventFact(event, summary: what), what: what, entities: entities)
    }

    static func finding(
        signIn: UserState.SuspiciousSignIn, signIns: [UserState.SuspiciousSignIn], step: UserState.Persistence,
        user: String
    ) -> Finding {
        var entities = step.entities
        entities.merge(StoryView.Entities(users: [user], ipAddresses: signIns.compactMap(\.fact.ipEntity)))
        return Finding(
            detection: .accountTakeover, detectionVersion: DetectionRule.accountTakeover.version,
            criticality: .critical,
            confidence: 90, title: "Account takeover of \(user)",
            summary: "\(user): \(signIn.fact.summary), then \(step.what)",
            condition: "suspicious sign-in followed by persistence within the window",
            matched: [
                "signIn": signIn.fact.id, "reasons": signIn.reasons.joined(separator: "; "), "persistence": step.what,
            ],
            anchor: signIn.fact, events: signIns.map(\.fact) + [step.fact], entities: entities)
    }
}
