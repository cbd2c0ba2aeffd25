import Events

extension DetectionRule {
    /// An inbox rule that deletes, moves away or marks read mail about payments or security,
    /// or whose name is only punctuation: how an attacker keeps the victim from seeing replies
    /// and warnings.
    public static let hidingRule = DetectionRule(
        detection: .hidingRule, version: "1",
        description:
            "An inbox rule deletes, moves to Deleted Items / Junk / RSS Feeds / Archive / Conversation History, or marks read mail whose conditions mention fraud or security words, or has a name made only of punctuation.",
        reads: [.inboxRule],
        evaluate: HidingRule.evaluate)
}

enum HidingRule {
    /// Folders nobody reads.
    static let hiddenFolders: Set<String> = ["deleteditems", "junkemail", "rssfeeds", "archive", "conversationhistory"]

    /// What hides, and why it looks like hiding.
    struct Signals: Hashable {
        var actions: [String]
        var reasons: [String]
    }

    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        let event = input.event
        guard let signals = signals(event, configuration: input.configuration) else { return [] }
        // A rule that also forwards outside is told by the forwarding story (high, as it hides).
        guard ExternalForwarding.destinations(event, context: input.context) == nil else { return [] }
        guard !AccountTakeover.claims(event, input: input) else { return [] }
        let summary = describe(event, signals: signals)
        var matched = [
            "operation": event.operation, "actions": signals.actions.joined(separator: ", "),
            "why": signals.reasons.joined(separator: "; "),
        ]
        if let ruleName = event.ruleName { matched["rule"] = ruleName }
        return [
            Finding(
                detection: .hidingRule, detectionVersion: DetectionRule.hidingRule.version, criticality: .medium,
                confidence: signals.reasons.count > 1 ? 80 : 70,
                title: "Inbox rule hides mail from \(event.user)", summary: "\(event.user): \(summary)",
                condition: "inbox rule hides mail (\(signals.reasons.joined(separator: "; ")))", matched: matched,
                anchor: EventFact(event, summary: summary), events: [EventFact(event, summary: summary)],
                entities: event.entities)
        ]
    }

    /// Nil unless a person's inbox rule both hides mail and looks like hiding.
    static func signals(_ event: SecurityEvent, configuration: DetectionConfiguration) -> Signals? {
        guard event.kind == .inboxRule, let rule = event.rule, [.created, .updated, .enabled].contains(rule.change),
            event.actorType.isPerson
        else { return nil }
        var actions: [String] = []
        if rule.deletes { actions.append("deletes") }
        if let folder = rule.moveToFolder, hiddenFolders.contains(folder) { actions.append("moves to \(folder)") }
        if rule.marksAsRead { actions.append("marks as read") }
        guard !actions.isEmpty else { return nil }
        var reasons: [String] = []
        if let keyword = configuration.hidingKeyword(in: rule.keywords) {
            reasons.append("conditions mention \"\(keyword)\"")
        }
        if let name = event.ruleName, isMeaningless(name) {
            reasons.append("the rule's name \"\(name)\" is only punctuation")
        }
        guard !reasons.isEmpty else { return nil }
        return Signals(actions: actions, reasons: reasons)
    }

    /// `...`, `.`, `,,`, spaces: a name chosen so the rule is not noticed in the list.
    static func isMeaningless(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { !$0.properties.isAlphabetic && $0.properties.numericType == nil }
    }

    /// `inbox rule "..." deletes, marks as read mail (conditions mention "security")`.
    static func describe(_ event: SecurityEvent, signals: Signals) -> String {
        let name = event.ruleName.map { " \"\($0)\"" } ?? ""
        return "inbox rule\(name) \(signals.actions.joined(separator: ", ")) mail ("
            + signals.reasons.joined(separator: "; ") + ")"
    }
}
