import Events
import Foundation

/// A rule made in desktop Outlook (seen only as `UpdateInboxRules`) that forwards
/// every message to a free-mail address and deletes it; no suspicious sign-in.
/// Look-alike: a colleague's Outlook rule forwarding to someone inside the tenant.
enum OutlookRule {
    static let name = "outlook-rule"

    static let scenario = Scenario(
        name: name,
        summary: "A desktop Outlook rule that forwards all mail outside and deletes it.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 150)
        Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))
        let address = Attacker.dropAddress(for: victim, random: &builder.random)
        let (rule, record) = builder.createInboxRule(
            owner: victim, name: "FW", actions: .init(forwardTo: [address], delete: true), at: clock.at(40),
            origin: .outlookClient, clientIP: victim.usualIPs[0])
        builder.expectStory(
            attack: name, user: victim, detection: .externalForwarding, criticality: .high,
            explanation:
                "A desktop Outlook rule (UpdateInboxRules) forwards every message to \(address), outside the "
                + "tenant's domains, and deletes it, so no copy is kept: high.",
            evidence: [record, rule.id])

        guard context.victims.count > 1 else { return }
        let colleague = context.victims[1]
        let target = context.victims.count > 2 ? context.victims[2] : victim
        Attacker.ordinaryStart(colleague, builder: &builder, at: clock.at(20))
        let (internalRule, internalRecord) = builder.createInboxRule(
            owner: colleague, name: "Copy to \(target.displayName)",
            conditions: .init(subjectContains: ["weekly status"]),
            actions: .init(forwardTo: [target.userPrincipalName]),
            at: clock.at(100), origin: .outlookClient, clientIP: colleague.usualIPs[0])
        builder.benignLookAlike(
            kind: LookAlikeKind.internalForwardingRule, user: colleague, resembles: .externalForwarding,
            explanation: "A desktop Outlook rule forwards weekly status mail to a colleague inside the tenant.",
            evidence: [internalRecord, internalRule.id])
    }
}
