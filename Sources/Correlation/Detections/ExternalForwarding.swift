import Events

extension DetectionRule {
    /// An inbox rule, mailbox forwarding setting or transport rule that sends mail to an address
    /// outside the tenant's accepted domains. High when the mailbox keeps no copy.
    public static let externalForwarding = DetectionRule(
        detection: .externalForwarding, version: "1",
        description:
            "An inbox rule, mailbox forwarding or transport rule forwards, redirects or copies mail outside the tenant's accepted domains.",
        reads: [.inboxRule, .mailboxForwarding, .transportRule],
        evaluate: ExternalForwarding.evaluate)
}

enum ExternalForwarding {
    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        let event = input.event
        guard let rule = event.rule, [.created, .updated, .enabled].contains(rule.change) else { return [] }
        // Datacenter processes and applications run these cmdlets as part of normal operation.
        guard event.actorType != .system && event.actorType != .application else { return [] }
        let allowed = input.configuration.allowedExternalDomains
        var external: [String] = []
        for address in rule.destinations
        where !input.context.isInternal(address, user: event.user, allowed: allowed) && !external.contains(address) {
            external.append(address)
        }
        guard !external.isEmpty else { return [] }
        let keepsCopy = !(rule.deletes || rule.stopsProcessing || rule.keepsCopy == false)
        let what =
            switch event.kind {
            case .mailboxForwarding: "mailbox forwarding"
            case .transportRule: "transport rule"
            default: "inbox rule"
            }
        let name = event.ruleName.map { " \"\($0)\"" } ?? ""
        let targets = external.joined(separator: ", ")
        var matched = ["operation": event.operation, "external": targets, "keepsCopy": keepsCopy ? "true" : "false"]
        if let ruleName = event.ruleName { matched["rule"] = ruleName }
        let summary = "\(what)\(name) sends mail to \(targets)" + (keepsCopy ? "" : ", keeping no copy")
        return [
            Finding(
                detection: .externalForwarding, detectionVersion: DetectionRule.externalForwarding.version,
                criticality: keepsCopy ? .medium : .high, confidence: keepsCopy ? 70 : 85,
                title: "Mail forwarded outside the tenant to \(external[0])",
                summary: "\(event.user): \(summary)",
                condition: "\(what) forwards to an address outside the accepted domains", matched: matched,
                anchor: EventFact(event, summary: summary), events: [EventFact(event, summary: summary)],
                entities: StoryView.Entities(
                    users: [event.user], mailboxes: [event.user],
                    ipAddresses: event.ipAddress.map {
                        [StoryView.Entities.IPAddress(address: $0, country: event.country)]
                    }
                        ?? [],
                    rules: event.ruleName != nil || event.ruleId != nil
                        ? [StoryView.Entities.Rule(name: event.ruleName, id: event.ruleId)] : [],
                    externalRecipients: external))
        ]
    }
}
