import Events
import Foundation

/// A sign-in from São Paulo twenty minutes after one at home — impossible travel, though
/// Identity Protection rates it only low — then, from the attacker's address, the victim's
/// account grants a guest full access to its own mailbox and registers an authenticator
/// app: persistence without any rule. Look-alikes: an administrator giving an executive's
/// assistant full access, and a user adding an authenticator app after an ordinary sign-in.
enum DelegationTakeover {
    static let name = "delegation-takeover"

    /// The method both the attacker and the look-alike register, as Entra ID names it.
    static let authenticatorApp = "Authenticator App with Notification and Code"

    static let scenario = Scenario(
        name: name,
        summary: "Impossible travel to São Paulo, then FullAccess to a guest and a new authenticator app.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 120)
        let home = Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))

        // Single factor, unmanaged device, risk only low: the distance in twenty minutes gives it away.
        let attackerIP = Attacker.hostingIP(&builder.random)
        let away = Attacker.signIn(
            victim, builder: &builder, at: clock.at(20), ip: attackerIP, place: Attacker.saoPaulo, riskLevel: .low)

        // A guest the attacker controls may open the mailbox, without it showing in their Outlook.
        let local = String(victim.userPrincipalName.split(separator: "@")[0])
        let guest =
            local.replacingOccurrences(of: ".", with: "_") + "_" + builder.random.pick(Attacker.dropDomains)
            + "#EXT#@" + (builder.directory.domains.first(where: \.isInitial)?.name ?? builder.directory.defaultDomain)
        let permission = builder.addMailboxPermission(
            victim, grantee: guest, autoMapping: false, actor: .user(victim), at: clock.at(35), clientIP: attackerIP)
        let securityInfo = builder.registerSecurityInfo(
            victim, method: authenticatorApp, at: clock.at(45), clientIP: attackerIP)

        builder.expectStory(
            attack: name, user: victim, detection: .accountTakeover, criticality: .critical,
            explanation:
                "Twenty minutes after a sign-in at \(home.event.place.city), a single-factor sign-in from an "
                + "unmanaged device in São Paulo (BR): impossible travel, though its risk level is only low. "
                + "From the same address \(victim.userPrincipalName) then granted \(guest) FullAccess to the "
                + "mailbox and registered an authenticator app: delegation and an MFA change after a suspicious "
                + "sign-in are a takeover, critical, with no forwarding rule at all.",
            evidence: [home.recordId, home.event.id, away.recordId, away.event.id, permission, securityInfo])

        // Look-alike: an administrator, after an ordinary sign-in, gives an assistant an executive's mailbox.
        guard context.victims.count > 2 else { return }
        let admin = context.victims[1]
        let assistant = context.victims[2]
        let executive =
            builder.directory.manager(of: assistant).flatMap { $0.isVIP ? $0 : nil }
            ?? builder.directory.users.first(where: \.isVIP)
        if let executive {
            let adminStart = Attacker.ordinaryStart(admin, builder: &builder, at: clock.at(50))
            let grant = builder.addMailboxPermission(
                executive, grantee: assistant.userPrincipalName, actor: .user(admin), at: clock.at(70),
                clientIP: admin.usualIPs[0])
            builder.benignLookAlike(
                kind: LookAlikeKind.assistantDelegation, user: admin, resembles: .accountTakeover,
                explanation:
                    "An administrator, signed in from \(admin.home.city) as usual, granted "
                    + "\(assistant.displayName) FullAccess to \(executive.displayName)'s mailbox: an assistant's "
                    + "delegation, with no suspicious sign-in before it.",
                evidence: [adminStart.recordId, grant])
        }

        // Look-alike: a new phone's authenticator app, minutes after an ordinary multi-factor sign-in at home.
        guard context.victims.count > 3 else { return }
        let user = context.victims[3]
        let start = Attacker.ordinaryStart(user, builder: &builder, at: clock.at(90))
        let registered = builder.registerSecurityInfo(
            user, method: authenticatorApp, at: clock.at(96), clientIP: user.usualIPs[0])
        builder.benignLookAlike(
            kind: LookAlikeKind.securityInfoAfterHomeSignIn, user: user, resembles: .accountTakeover,
            explanation:
                "Minutes after a multi-factor sign-in from a usual address at \(user.home.city), the user "
                + "registered an authenticator app (a new phone): no suspicious sign-in before it.",
            evidence: [start.recordId, registered])
    }
}
