import Events

extension DetectionRule {
    /// A suspicious sign-in followed, within a window, by phishing for the same user: a phishing
    /// mail delivered or reported, a Defender alert, or mail sent to many external recipients.
    public static let loginThenPhish = DetectionRule(
        detection: .loginThenPhish, version: "1",
        description:
            "A suspicious sign-in (risky, new country, impossible travel, failures then success) followed within the window by phishing delivered to, reported by, alerted about or sent from the user.",
        reads: [.signIn, .phishDelivered, .phishReported, .defenderAlert, .mailSent],
        evaluate: LoginThenPhish.evaluate)
}

enum LoginThenPhish {
    @Sendable static func evaluate(_ input: DetectionRule.Input) -> [Finding] {
        let window = input.configuration.loginThenPhishWindow.seconds
        let event = input.event
        if let phishing = PhishingActivity.describe(event, context: input.context, configuration: input.configuration) {
            // The usual order: the sign-in is already in the state.
            let earliest = event.time.addingTimeInterval(-window)
            let signIns = input.state.suspiciousSignIns.filter {
                $0.fact.time >= earliest && $0.fact.time <= event.time
            }
            guard let first = signIns.first else { return [] }
            return [
                finding(signIn: first, phish: EventFact(event, summary: phishing), user: event.user, signIns: signIns)
            ]
        }
        // A sign-in that arrived after the phishing it led to (later than the grace).
        guard event.kind == .signIn, let assessment = input.assessment, assessment.isSuspicious else { return [] }
        let latest = event.time.addingTimeInterval(window)
        // Every phishing of the window, not just the first: the same story as when the sign-in
        // came first and each phishing joined it in turn.
        let phishing = input.state.phishing.filter { $0.time >= event.time && $0.time <= latest }
        guard !phishing.isEmpty else { return [] }
        let signIn = UserState.SuspiciousSignIn(
            fact: EventFact(event, summary: SignInAssessment.summary(event, assessment)), reasons: assessment.reasons)
        return phishing.map { finding(signIn: signIn, phish: $0, user: event.user, signIns: [signIn]) }
    }

    static func finding(
        signIn: UserState.SuspiciousSignIn, phish: EventFact, user: String, signIns: [UserState.SuspiciousSignIn]
    ) -> Finding {
        let ips = signIns.compactMap(\.fact.ipEntity)
        return Finding(
            detection: .loginThenPhish, detectionVersion: DetectionRule.loginThenPhish.version, criticality: .high,
            confidence: 80, title: "Suspicious sign-in, then phishing, for \(user)",
            summary: "\(user): \(signIn.fact.summary), then \(phish.summary)",
            condition: "suspicious sign-in followed by phishing within the window",
            matched: [
                "signIn": signIn.fact.id, "reasons": signIn.reasons.joined(separator: "; "), "phishing": phish.summary,
            ],
            anchor: signIn.fact, events: signIns.map(\.fact) + [phish],
            entities: StoryView.Entities(users: [user], mailboxes: [user], ipAddresses: ips))
    }
}
