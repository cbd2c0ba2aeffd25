import Events
import Foundation

/// An account with Exchange admin rights creates a transport rule that blind-copies
/// every message about invoices or payments to a look-alike domain; no suspicious
/// sign-in. Delivery goes on, so it is medium, on the user who ran the cmdlet.
/// Look-alike: a transport rule that blind-copies Legal's mail to the tenant's own
/// compliance mailbox.
enum TransportRuleBCC {
    static let name = "transport-rule-bcc"

    static let scenario = Scenario(
        name: name,
        summary: "New-TransportRule blind-copying invoice mail to a look-alike domain, plus an internal look-alike.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 120)
        Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))
        let address =
            builder.random.pick(["records", "audit.copy", "finance.review"]) + "@contoso-audit.example"
        let record = builder.newTransportRule(
            name: builder.random.pick(["Finance audit copy", "AP retention"]),
            conditions: [("SubjectContainsWords", "invoice;payment;remittance")],
            actions: [("BlindCopyTo", address)], actor: .user(victim), at: clock.at(30),
            clientIP: victim.usualIPs[0])
        builder.expectStory(
            attack: name, user: victim, detection: .externalForwarding, criticality: .medium,
            explanation:
                "\(victim.userPrincipalName) created a transport rule (New-TransportRule) that blind-copies "
                + "every message whose subject names an invoice, payment or remittance to \(address), a "
                + "look-alike domain outside the tenant; the recipients still get their mail, so medium.",
            evidence: [record])

        // Look-alike: another administrator keeps a compliance copy of Legal's mail inside the tenant.
        guard context.victims.count > 1 else { return }
        let admin = context.victims[1]
        Attacker.ordinaryStart(admin, builder: &builder, at: clock.at(50))
        let domain = builder.directory.defaultDomain
        let compliance = builder.newTransportRule(
            name: "Legal hold copy", conditions: [("FromMemberOf", "legal@" + domain)],
            actions: [("BlindCopyTo", "compliance@" + domain)], actor: .user(admin), at: clock.at(80),
            clientIP: admin.usualIPs[0])
        builder.benignLookAlike(
            kind: LookAlikeKind.internalTransportRule, user: admin, resembles: .externalForwarding,
            explanation:
                "A transport rule blind-copies Legal's mail to compliance@\(domain), the tenant's own "
                + "compliance mailbox: inside the tenant.",
            evidence: [compliance])
    }
}
