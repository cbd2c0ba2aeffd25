import Events
import Foundation

/// Defender for Office 365 sees the user click a link in a zero-hour phish and
/// raises "A potentially malicious URL click was detected" (high); no suspicious sign-in.
enum DefenderAlert {
    static let name = "defender-alert"
    static let title = "A potentially malicious URL click was detected"

    static let scenario = Scenario(
        name: name,
        summary: "Defender alert: a potentially malicious URL click (high).",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 120)
        Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))
        let (phish, phishRecord) = builder.deliverMail(
            to: victim, from: Recipient(name: "DocuSign", address: "dse@docusign-notify.example"),
            subject: "Please review and sign: Services Agreement",
            body: "You have a document waiting for signature: \(Attacker.lureURL(&builder.random))", at: clock.at(30),
            verdict: .phish, senderIP: Attacker.hostingIP(&builder.random))
        builder.readMail(victim, messages: [phish], at: clock.at(41), clientIP: victim.usualIPs[0])
        let alert = builder.raiseAlert(
            about: victim, title: title, severity: "high", category: "ThreatManagement", at: clock.at(44),
            message: phish,
            description: "\(victim.displayName) clicked a URL in a message that was later found to be malicious.")
        builder.expectStory(
            attack: name, user: victim, detection: .defenderAlert, criticality: .high,
            explanation:
                "Defender for Office 365 raised \"\(title)\" with severity high about \(victim.userPrincipalName); "
                + "the story keeps Microsoft's severity.",
            evidence: [alert.recordId, alert.alertId] + [phishRecord].compactMap(\.self))
    }
}
