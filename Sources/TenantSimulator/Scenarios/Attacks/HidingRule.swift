import Events
import Foundation

/// Rules that hide mail the user should see, with no suspicious sign-in: one
/// (from Outlook on the web) moves invoice and payment mail to RSS Feeds and
/// marks it read; one (from desktop Outlook) named only "..." deletes security
/// notices. Hiding rules are medium whatever the hiding action (see ``ScenarioCatalog``).
enum HidingRule {
    static let name = "hiding-rule"

    static let scenario = Scenario(
        name: name,
        summary: "Rules that move fraud-related mail to RSS Feeds or delete it, one named only \"...\".",
        isAttack: true
    ) { builder, context in
        guard let first = context.victims.first else { return }
        // Two victims when the run has them; otherwise both rules belong to one (one story).
        let second = context.victims.count > 1 ? context.victims[1] : first
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 180)

        Attacker.ordinaryStart(first, builder: &builder, at: clock.at(0))
        let (moving, movingRecord) = builder.createInboxRule(
            owner: first, name: "Accounts",
            conditions: .init(bodyOrSubjectContains: ["invoice", "payment", "wire transfer"]),
            actions: .init(moveToFolder: "rssfeeds", markAsRead: true, stopProcessingRules: true),
            at: clock.at(25), clientIP: first.usualIPs[0])
        var firstEvidence = [movingRecord, moving.id]

        if second != first { Attacker.ordinaryStart(second, builder: &builder, at: clock.at(40)) }
        let (deleting, deletingRecord) = builder.createInboxRule(
            owner: second, name: "...",
            conditions: .init(subjectContains: ["security", "suspicious", "password"]),
            actions: .init(delete: true, markAsRead: true), at: clock.at(70), origin: .outlookClient,
            clientIP: second.usualIPs[0])
        let deletingEvidence = [deletingRecord, deleting.id]

        let movingExplanation =
            "An inbox rule moves mail mentioning invoice, payment or wire transfer to RSS Feeds and marks it read; "
            + "no suspicious sign-in precedes it."
        let deletingExplanation =
            "A desktop Outlook rule named only \"...\" deletes mail whose subject mentions security, suspicious "
            + "or password and marks it read; no suspicious sign-in precedes it."
        if second == first {
            firstEvidence += deletingEvidence
            builder.expectStory(
                attack: name, user: first, detection: .hidingRule, criticality: .medium,
                explanation: movingExplanation + " " + deletingExplanation, evidence: firstEvidence)
        } else {
            builder.expectStory(
                attack: name, user: first, detection: .hidingRule, criticality: .medium,
                explanation: movingExplanation, evidence: firstEvidence)
            builder.expectStory(
                attack: name, user: second, detection: .hidingRule, criticality: .medium,
                explanation: deletingExplanation, evidence: deletingEvidence)
        }
    }
}
