import Events
import Foundation

/// After a risky sign-in from São Paulo over IPv6, the compromised account sends
/// a phishing mail to dozens of colleagues and outside contacts.
enum PhishSpray {
    static let name = "phish-spray"

    static let scenario = Scenario(
        name: name,
        summary: "A risky sign-in from abroad, then phishing sent from the account to 25+ recipients.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 200)
        Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))

        let attackerIP = Attacker.ipv6(&builder.random)
        let foreign = Attacker.signIn(
            victim, builder: &builder, at: clock.at(60 + 30 * builder.random.unit()), ip: attackerIP,
            place: Attacker.saoPaulo, riskLevel: .medium, riskEventTypes: ["unfamiliarFeatures"])

        let recipients = sprayRecipients(victim: victim, builder: &builder, context: context)
        let sent = builder.sendMail(
            from: victim, to: recipients, subject: sentSubject,
            body: "\(victim.displayName) shared a document with you. Open: \(Attacker.lureURL(&builder.random))",
            at: clock.at(130), clientIP: attackerIP, verdict: .phish)

        builder.expectStory(
            attack: name, user: victim, detection: .loginThenPhish, criticality: .high,
            explanation:
                "A medium-risk single-factor sign-in from São Paulo (BR) over IPv6, a country new for "
                + "\(victim.userPrincipalName), was followed by a phishing mail sent from the account to "
                + "\(recipients.count) recipients inside and outside the tenant.",
            evidence: [foreign.recordId, foreign.event.id, sent.sendRecordId] + [sent.threatRecordId].compactMap(\.self)
        )

        // A colleague who got it reports it: the report names an internal sender, the
        // compromised account. Last, so every draw above stays as it was.
        let directory = builder.directory
        if let colleague = recipients.lazy.compactMap({ directory.user(id: $0.address) }).first,
            let copy = builder.timeline.messages.last(where: {
                $0.mailboxUserId == colleague.id && $0.folder == "inbox" && $0.subject == sentSubject
            })
        {
            builder.reportPhish(
                by: colleague, message: copy, at: clock.at(130 + 15 + 20 * builder.random.unit()))
        }
    }

    static let sentSubject = "Shared with you: Q3 remittance advice"

    /// 25 to 35 recipients: colleagues and outside contacts. Colleagues are taken only
    /// from this attack's own spare victims and from people whose background is plain
    /// (they already signed in, are not VIP or protected, and no ground truth names
    /// them), so the phish lands on nobody whose story it could change: not on a
    /// traveller, not on another attack's victim.
    static func sprayRecipients(victim: SimulatedUser, builder: inout ScenarioBuilder, context: ScenarioContext)
        -> [Recipient]
    {
        var named: Set<String> = [victim.userPrincipalName.lowercased()]
        for story in builder.groundTruth.expectedStories { named.insert(story.user) }
        for lookAlike in builder.groundTruth.benignLookAlikes { named.insert(lookAlike.user) }
        var signedIn: Set<String> = []
        for event in builder.timeline.signIns { signedIn.insert(event.userId) }
        var plain = builder.directory.users.filter {
            !$0.isVIP && !$0.isProtected && signedIn.contains($0.id)
                && !named.contains($0.userPrincipalName.lowercased())
        }
        builder.random.shuffle(&plain)
        let spare = context.victims.dropFirst()
        let colleagues = Array(spare) + plain.prefix(max(0, 12 - spare.count))
        var recipients = colleagues.map { Recipient(name: $0.displayName, address: $0.userPrincipalName) }
        let externalDomains = ["fabrikam.example", "northwind.example", "tailspin.example", "gmail.example"]
        let externalCount = max(25 - recipients.count, builder.random.between(15...23))
        for index in 0..<externalCount {
            let first = builder.random.pick(DirectoryGenerator.firstNames).lowercased()
            let last = builder.random.pick(DirectoryGenerator.lastNames).lowercased()
            recipients.append(
                Recipient(
                    name: "\(first.capitalized) \(last.capitalized)",
                    address: "\(first).\(last)\(index)@\(builder.random.pick(externalDomains))"))
        }
        return recipients
    }
}
