import Events
import Foundation

/// Three mailboxes, each with only its ordinary sign-in, forward to the same external
/// drop address within a few hours, each its own way: an inbox rule that keeps a copy,
/// `Set-Mailbox` forwarding that keeps none, and a desktop Outlook rule that redirects.
/// Each is an external-forwarding story of its own and, together, a fan-in story on each
/// of the three. Look-alike: three other mailboxes forwarding to one shared address
/// inside the tenant.
enum ForwardingFanIn {
    static let name = "forwarding-fan-in"

    /// How many mailboxes make a fan-in, and how many forward in this scenario.
    static let fanIn = 3

    static let scenario = Scenario(
        name: name,
        summary: "Three mailboxes forward to one external address (rule, Set-Mailbox, Outlook), no risky sign-in.",
        isAttack: true, victimsNeeded: 2 * fanIn
    ) { builder, context in
        guard !context.victims.isEmpty else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 220)
        let drop =
            builder.random.pick(["invoices.archive", "payables.copy", "statements.vault"]) + "@"
            + builder.random.pick(Attacker.dropDomains)
        let victims = Array(context.victims.prefix(fanIn))

        // Each victim: an ordinary start, then forwarding about 40 minutes later; 70 minutes apart.
        var forwarded: [(victim: SimulatedUser, evidence: [String], how: String)] = []
        for (index, victim) in victims.enumerated() {
            let start = Double(index) * 70
            Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(start))
            let at = clock.at(start + 40)
            let ip = victim.usualIPs[0]
            let evidence: [String]
            let how: String
            let criticality: StoryView.Criticality
            switch index {
            case 0:
                let (rule, record) = builder.createInboxRule(
                    owner: victim, name: "Invoices",
                    conditions: .init(bodyOrSubjectContains: ["invoice", "remittance"]),
                    actions: .init(forwardTo: [drop]), at: at, clientIP: ip)
                evidence = [record, rule.id]
                how = "an inbox rule (New-InboxRule -ForwardTo) that keeps a copy"
                criticality = .medium
            case 1:
                let record = builder.setMailboxForwarding(
                    victim, to: drop, keepCopy: false, actor: .user(victim), at: at, clientIP: ip)
                evidence = [record]
                how = "Set-Mailbox forwarding with DeliverToMailboxAndForward False, so no copy is kept"
                criticality = .high
            default:
                let (rule, record) = builder.createInboxRule(
                    owner: victim, name: "Archive", actions: .init(redirectTo: [drop]), at: at,
                    origin: .outlookClient, clientIP: ip)
                evidence = [record, rule.id]
                how = "a desktop Outlook rule (UpdateInboxRules) that redirects, without deleting or stopping"
                criticality = .medium
            }
            builder.expectStory(
                attack: name, user: victim, detection: .externalForwarding, criticality: criticality,
                explanation:
                    "\(victim.userPrincipalName) forwards to \(drop), outside the tenant's domains, with \(how): "
                    + "\(criticality.rawValue). No suspicious sign-in comes before it.",
                evidence: evidence)
            forwarded.append((victim, evidence, how))
        }

        // Fan-in: every one of the three, with its own forwarding first and the others' after.
        if forwarded.count >= fanIn {
            for (index, member) in forwarded.enumerated() {
                let others = forwarded.enumerated().filter { $0.offset != index }.map(\.element)
                builder.expectStory(
                    attack: name, user: member.victim, detection: .forwardingFanIn, criticality: .high,
                    explanation:
                        "\(member.victim.userPrincipalName) is one of \(forwarded.count) mailboxes forwarding to "
                        + "the same external address \(drop) within hours of each other (with "
                        + others.map(\.victim.userPrincipalName).joined(separator: " and ")
                        + "): one drop collecting several mailboxes is high, whatever each forwarding keeps.",
                    evidence: member.evidence + others.flatMap(\.evidence))
            }
        }

        // Look-alike: three other mailboxes forward to one shared address of the tenant's own domain.
        guard context.victims.count >= 2 * fanIn else { return }
        let shared = "accounts.payable@" + builder.directory.defaultDomain
        for (index, user) in context.victims[fanIn..<(2 * fanIn)].enumerated() {
            let start = 20 + Double(index) * 70
            Attacker.ordinaryStart(user, builder: &builder, at: clock.at(start))
            let at = clock.at(start + 40)
            let ip = user.usualIPs[0]
            let evidence: [String]
            switch index {
            case 0:
                let (rule, record) = builder.createInboxRule(
                    owner: user, name: "Supplier invoices to AP",
                    conditions: .init(subjectContains: ["invoice"]), actions: .init(forwardTo: [shared]), at: at,
                    clientIP: ip)
                evidence = [record, rule.id]
            case 1:
                evidence = [
                    builder.setMailboxForwarding(
                        user, to: shared, keepCopy: true, actor: .user(user), at: at, clientIP: ip)
                ]
            default:
                let (rule, record) = builder.createInboxRule(
                    owner: user, name: "AP", actions: .init(forwardTo: [shared]), at: at, origin: .outlookClient,
                    clientIP: ip)
                evidence = [record, rule.id]
            }
            builder.benignLookAlike(
                kind: LookAlikeKind.internalFanIn, user: user, resembles: .forwardingFanIn,
                explanation:
                    "One of three mailboxes forwarding to \(shared), the accounts-payable team's shared address "
                    + "inside the tenant: internal addresses never make a fan-in.",
                evidence: evidence)
        }
    }
}
