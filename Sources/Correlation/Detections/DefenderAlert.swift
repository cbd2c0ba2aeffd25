import Events

extension DetectionRule {
    /// An alert Defender for Office 365 raised about the user, in Microsoft's own words and
    /// severity; it joins the story the user already has open, if any.
    public static let defenderAlert = DetectionRule(
        detection: .defenderAlert, version: "1",
        description:
            "An alert from Defender for Office 365 about the user becomes a story, or joins the user's open one, keeping Microsoft's title, severity and detection source.",
        reads: [.defenderAlert],
        evaluate: DefenderAlert.evaluate)
}

enum DefenderAlert {
    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        let event = input.event
        // An alert the audit log files under `~system` (or one naming nobody) has no user to tell a
        // story about; its Graph copy names the user it is about.
        guard event.kind == .defenderAlert, let alert = event.alert, !event.user.hasPrefix("~") else { return [] }
        let summary = "Defender alert \"\(alert.title)\" (\(alert.severity))"
        var entities = event.entities
        entities.messageIds = event.messageIds
        var matched = ["alertId": alert.alertId, "title": alert.title, "severity": alert.severity]
        if let source = alert.detectionSource { matched["detectionSource"] = source }
        if let category = alert.category { matched["category"] = category }
        return [
            Finding(
                detection: .defenderAlert, detectionVersion: DetectionRule.defenderAlert.version,
                criticality: criticality(of: alert.severity), confidence: 80, title: alert.title,
                summary: "\(event.user): \(summary)",
                condition: "Defender for Office 365 raised an alert about the user", matched: matched,
                anchor: EventFact(event, summary: summary), events: [EventFact(event, summary: summary)],
                entities: entities,
                joinsOpenStory: true)
        ]
    }

    /// Microsoft's severity, as a criticality: informational and low are low.
    static func criticality(of severity: String) -> StoryView.Criticality {
        switch severity.lowercased() {
        case "high": .high
        case "medium", "unknown", "": .medium
        default: .low
        }
    }
}
