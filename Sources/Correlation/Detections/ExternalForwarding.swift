import Events

extension DetectionRule {
    /// An inbox rule, mailbox forwarding setting or transport rule that sends mail to an address
    /// outside the tenant's accepted domains. High when the mailbox keeps no copy.
    public static let externalForwarding = DetectionRule(
        detection: .externalForwarding, version: "2",
        description:
            "An inbox rule, mailbox forwarding or transport rule forwards, redirects or copies mail outside the tenant's accepted domains.",
        reads: [.inboxRule, .mailboxForwarding, .transportRule],
        evaluate: ExternalForwarding.evaluate)
}

enum ExternalForwarding {
    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        let event = input.event
        guard let external = destinations(event, context: input.context), let rule = event.rule else { return [] }
        // After a suspicious sign-in this is the attacker's persistence: the takeover story tells it.
        guard !AccountTakeover.claims(event, input: input) else { return [] }
        let keepsCopy = keepsCopy(event, rule: rule)
        let summary = describe(event, external: external) + (keepsCopy ? "" : ", keeping no copy")
        var matched = ["operation": event.operation, "external": external.joined(separator: ", ")]
        matched["keepsCopy"] = keepsCopy ? "true" : "false"
        if let ruleName = event.ruleName { matched["rule"] = ruleName }
        return [
            Finding(
                detection: .externalForwarding, detectionVersion: DetectionRule.externalForwarding.version,
                criticality: keepsCopy ? .medium : .high, confidence: keepsCopy ? 70 : 85,
                title: "Mail forwarded outside the tenant to \(external[0])",
                summary: "\(event.user): \(summary)",
                condition: "\(what(event)) forwards to an address outside the accepted domains", matched: matched,
                anchor: EventFact(event, summary: summary), events: [EventFact(event, summary: summary)],
                entities: entities(event, external: external))
        ]
    }

    /// The addresses outside the tenant a person's rule or setting now sends mail to; nil when the
    /// event is no such change (internal only, removed, disabled, or made by Exchange itself).
    static func destinations(_ event: SecurityEvent, context: TenantContext) -> [String]? {
        guard [.inboxRule, .mailboxForwarding, .transportRule].contains(event.kind), let rule = event.rule,
            [.created, .updated, .enabled].contains(rule.change), event.actorType.isPerson
        else { return nil }
        var external: [String] = []
        for address in rule.destinations
        where !context.isInternal(address, user: event.user) && !external.contains(address) {
            external.append(address)
        }
        return external.isEmpty ? nil : external
    }

    /// Whether the mailbox (or, for a transport rule, the recipient) still gets the mail.
    static func keepsCopy(_ event: SecurityEvent, rule: SecurityEvent.RuleDetail) -> Bool {
        switch event.kind {
        case .mailboxForwarding:
            // `DeliverToMailboxAndForward` is False unless set: forwarding set without it keeps nothing.
            return rule.keepsCopy == true
        case .transportRule:
            // A redirect replaces the recipients; stopping further transport rules delivers still.
            return !rule.deletes && rule.redirectTo.isEmpty
        default:
            return !(rule.deletes || rule.stopsProcessing || rule.keepsCopy == false)
        }
    }

    static func what(_ event: SecurityEvent) -> String {
        switch event.kind {
        case .mailboxForwarding: "mailbox forwarding"
        case .transportRule: "transport rule"
        default: "inbox rule"
        }
    }

    /// `inbox rule "Sync" sends mail to x@y.example`.
    static func describe(_ event: SecurityEvent, external: [String]) -> String {
        let name = event.ruleName.map { " \"\($0)\"" } ?? ""
        return "\(what(event))\(name) sends mail to \(external.joined(separator: ", "))"
    }

    static func entities(_ event: SecurityEvent, external: [String]) -> StoryView.Entities {
        // An administrator's cmdlet names the mailbox it changed: the story is filed under who
        // ran it (the record's key), and names the mailbox whose mail leaves.
        let target =
            event.kind == .mailboxForwarding
            ? event.parameters["Identity"].flatMap { Normalizer.AddressList.address($0) } : nil
        var entities = event.entities
        entities.mailboxes = Array(Set([event.user] + [target].compactMap { $0 })).sorted()
        entities.externalRecipients = external
        return entities
    }
}

extension SecurityEvent.ActorType {
    /// A user or an administrator: Exchange's own processes and applications running the
    /// cmdlets they are expected to run are not what the detections look for.
    var isPerson: Bool { self != .system && self != .application }
}
