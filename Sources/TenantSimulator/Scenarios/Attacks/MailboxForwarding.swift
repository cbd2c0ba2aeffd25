import Events
import Foundation

/// A user forwards their whole mailbox to a free-mail address with
/// `Set-Mailbox -ForwardingSmtpAddress`, keeping a copy; no suspicious sign-in.
/// Alongside, two look-alikes: Exchange's own service process forwarding a
/// mailbox to a colleague, and an admin forwarding one to a subdomain of the
/// tenant's default domain.
enum MailboxForwarding {
    static let name = "mailbox-forwarding"

    static let scenario = Scenario(
        name: name,
        summary: "Set-Mailbox forwarding to an external address (copy kept), plus internal look-alikes.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 180)
        Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))
        let external = String(victim.userPrincipalName.split(separator: "@")[0]) + ".home@gmail.example"
        let record = builder.setMailboxForwarding(
            victim, to: external, keepCopy: true, actor: .user(victim), at: clock.at(45), clientIP: victim.usualIPs[0])
        builder.expectStory(
            attack: name, user: victim, detection: .externalForwarding, criticality: .medium,
            explanation:
                "\(victim.userPrincipalName) set mailbox forwarding to \(external), outside the tenant's domains; "
                + "a copy stays in the mailbox (DeliverToMailboxAndForward True), so medium.",
            evidence: [record])

        // Look-alikes, on this attack's other users when it has them.
        let others = Array(context.victims.dropFirst())
        let systemTarget = others.first ?? victim
        let colleague =
            others.count > 1 ? others[1] : builder.directory.users.first { $0.id != systemTarget.id } ?? victim
        let systemRecord = builder.setMailboxForwarding(
            systemTarget, to: colleague.userPrincipalName, keepCopy: true,
            actor: .system(BenignActivity.exchangeServiceHost),
            at: clock.at(90), clientIP: nil)
        builder.benignLookAlike(
            kind: LookAlikeKind.systemForwarding, user: systemTarget, resembles: .externalForwarding,
            explanation: "Exchange's service process set forwarding to a colleague inside the tenant.",
            evidence: [systemRecord])

        let adminTarget = others.count > 2 ? others[2] : systemTarget
        let admin = others.count > 3 ? others[3] : victim
        let local = adminTarget.userPrincipalName.split(separator: "@")[0]
        let adminRecord = builder.setMailboxForwarding(
            adminTarget, to: local + "@hq.contoso.com", keepCopy: false, actor: .user(admin), at: clock.at(120),
            clientIP: admin.usualIPs[0], smtpPrefix: false)
        builder.benignLookAlike(
            kind: LookAlikeKind.subdomainForwarding, user: adminTarget, resembles: .externalForwarding,
            explanation: "An administrator forwarded the mailbox to hq.contoso.com, a subdomain of an accepted domain.",
            evidence: [adminRecord])
    }
}
