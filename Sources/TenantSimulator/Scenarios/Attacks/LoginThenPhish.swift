import Events
import Foundation

/// A sign-in from Moscow half an hour after one at home (impossible travel, medium
/// risk), then within hours a phishing mail that the user reports.
enum LoginThenPhish {
    static let name = "login-then-phish"

    static let scenario = Scenario(
        name: name,
        summary: "Impossible-travel sign-in, then a phishing mail the user reports within hours.",
        isAttack: true
    ) { builder, context in
        guard let victim = context.victims.first else { return }
        let clock = AttackClock(context, random: &builder.random, plannedMinutes: 240)
        let home = Attacker.ordinaryStart(victim, builder: &builder, at: clock.at(0))

        let foreign = Attacker.signIn(
            victim, builder: &builder, at: clock.at(30), ip: Attacker.hostingIP(&builder.random),
            place: Attacker.moscow, riskLevel: .medium, riskEventTypes: ["unlikelyTravel"],
            userAgent: UserAgents.macSafari)
        builder.markRisky(victim, level: "medium", state: "atRisk", detail: "none", at: clock.at(35))

        let delay = 60 + 120 * builder.random.unit()
        let (phish, phishRecord) = builder.deliverMail(
            to: victim, from: Recipient(name: "Contoso Billing", address: "accounts@contoso-billing.example"),
            subject: "Overdue invoice 4471: action required",
            body: "Your account is on hold. Review the overdue invoice: \(Attacker.lureURL(&builder.random))",
            at: clock.at(30 + delay), verdict: .phish, senderIP: Attacker.hostingIP(&builder.random))
        let report = builder.reportPhish(by: victim, message: phish, at: clock.at(30 + delay + 12))

        builder.expectStory(
            attack: name, user: victim, detection: .loginThenPhish, criticality: .high,
            explanation:
                "A medium-risk single-factor sign-in from Moscow (RU), 30 minutes after a sign-in at "
                + "\(home.event.place.city) (impossible travel, a new country), was followed "
                + "\(Int(delay)) minutes later by a phishing mail to the same user, which they reported.",
            evidence: [home.recordId, foreign.recordId, foreign.event.id]
                + [phishRecord, report.recordId, report.submissionId].compactMap(\.self))

        // Look-alike: a colleague receives and reports phishing too, without any suspicious sign-in.
        guard context.victims.count > 1 else { return }
        let colleague = context.victims[1]
        Attacker.ordinaryStart(colleague, builder: &builder, at: clock.at(10))
        let (copy, copyRecord) = builder.deliverMail(
            to: colleague, from: phish.from, subject: phish.subject, body: phish.body, at: clock.at(30 + delay + 1),
            verdict: .phish, senderIP: Attacker.hostingIP(&builder.random))
        let colleagueReport = builder.reportPhish(by: colleague, message: copy, at: clock.at(30 + delay + 20))
        builder.benignLookAlike(
            kind: LookAlikeKind.phishWithoutLogin, user: colleague, resembles: .loginThenPhish,
            explanation: "Received and reported the same phishing mail, but every sign-in was ordinary.",
            evidence: [copyRecord, colleagueReport.recordId, colleagueReport.submissionId].compactMap(\.self))
    }
}
