import Events
import Foundation

/// A credential phish, a password-guessing burst and a risky sign-in from abroad,
/// then a rule that forwards every message outside and deletes it, then the
/// attacker reading the mailbox.
enum AccountTakeover {
    static let name = "account-takeover"

    static let scenario = Scenario(
        name: name,
        summary: "Credential phish, failure burst then a risky sign-in from abroad, a forward-and-delete rule.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 200)
        let home = Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))

        // The lure: zero-hour phish, delivered to the inbox and read.
        let lure = Attacker.lureURL(&builder.random)
        let (phish, phishRecord) = builder.deliverMail(
            to: victim, from: Recipient(name: "Microsoft 365", address: "no-reply@microsoftonline-secure.example"),
            subject: "Your password expires today",
            body: "Your Microsoft 365 password expires today. Keep your current password here: \(lure)",
            at: clock.at(20), verdict: .phish, senderIP: Attacker.hostingIP(&builder.random))
        builder.readMail(victim, messages: [phish], at: clock.at(32), clientIP: victim.usualIPs[0])

        // Guessing from a Tor exit, then the password that works.
        let attackerIP = Attacker.torExitIP(&builder.random)
        var evidence: [String] = []
        let failures = builder.random.between(6...10)
        for index in 0..<failures {
            let failure = Attacker.signIn(
                victim, builder: &builder, at: clock.at(60 + Double(index) * 0.4), ip: attackerIP,
                place: Attacker.lagos, errorCode: 50126)
            evidence.append(failure.recordId)
        }
        let success = Attacker.signIn(
            victim, builder: &builder, at: clock.at(60 + Double(failures) * 0.4 + 1), ip: attackerIP,
            place: Attacker.lagos, riskLevel: .high, riskEventTypes: ["anonymizedIPAddress", "unfamiliarFeatures"])
        evidence += [success.recordId, success.event.id]
        builder.markRisky(victim, level: "high", state: "atRisk", detail: "none", at: clock.at(70))

        // Persistence: every message goes to the attacker and is deleted here.
        let (rule, ruleRecord) = builder.createInboxRule(
            owner: victim, name: "Sync",
            actions: .init(
                forwardTo: [Attacker.dropAddress(for: victim, random: &builder.random)], delete: true,
                stopProcessingRules: true),
            at: clock.at(80), clientIP: attackerIP)
        evidence += [ruleRecord, rule.id]
        let read = builder.readMail(victim, messages: [phish], at: clock.at(95), clientIP: attackerIP)
        evidence.append(read)
        if let phishRecord { evidence.append(phishRecord) }

        builder.expectStory(
            attack: name, user: victim, detection: .accountTakeover, criticality: .critical,
            explanation:
                "After a burst of \(failures) failed sign-ins, a high-risk single-factor sign-in from Lagos (NG), "
                + "a country never seen for \(victim.userPrincipalName) (home sign-in at \(home.event.place.city)), "
                + "was followed within minutes by an inbox rule that forwards all mail outside and deletes it, "
                + "and by mail access from the same Tor address. The phishing lure arrived before the sign-in, "
                + "so this is not a login-then-phish story; the forwarding belongs to this story, not one of its own.",
            evidence: evidence)
    }
}
