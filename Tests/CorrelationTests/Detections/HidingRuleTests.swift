import Events
import Foundation
import Testing

@testable import Correlation

/// `hidingRule`: an inbox rule that deletes, moves where nobody looks or marks read mail about
/// payments or security, or whose name is only punctuation. Always medium.
@Suite("Detection: hiding rule")
struct HidingRuleTests {
    typealias H = DetectionHarness
    static let alice = H.alice

    @Test("a rule that moves mail about invoices to RSS Subscriptions opens one medium hiding story saying why")
    func moveToRSSWithInvoiceWords() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            [
                ("Mailbox", Self.alice), ("Name", "Move to RSS"), ("SubjectContainsWords", "invoice;payment"),
                ("MoveToFolder", #"alice@contoso.com:\RSS Subscriptions"#),
            ], by: Self.alice, userType: "0", id: "hide", at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com hidingRule medium"])
        let story = try #require(run.story(.hidingRule, of: Self.alice))
        let evidence = try #require(story.evidence.first)
        #expect(evidence.matched["actions"] == "moves to rssfeeds")
        #expect(evidence.matched["why"]?.contains("invoice") == true)
        #expect(story.entities.rules.map(\.name) == ["Move to RSS"])
        #expect(story.entities.externalRecipients.isEmpty)
        #expect(run.observations.isEmpty)
    }

    struct HideCase: Sendable, CustomTestStringConvertible {
        var parameters: [(String, String)]
        var testDescription: String { parameters.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }
    }

    @Test(
        "deleting, marking read or moving to Deleted Items, Junk, Archive or Conversation History mail with security words is medium",
        arguments: [
            HideCase(parameters: [("DeleteMessage", "True"), ("BodyContainsWords", "phishing")]),
            HideCase(parameters: [("MarkAsRead", "True"), ("SubjectContainsWords", "Suspicious sign-in")]),
            HideCase(parameters: [("MoveToFolder", "Deleted Items"), ("SubjectOrBodyContainsWords", "hacked")]),
            HideCase(parameters: [("MoveToFolder", "Junk Email"), ("FromAddressContainsWords", "security")]),
            HideCase(parameters: [("MoveToFolder", #":\Archive"#), ("SubjectContainsWords", "wire transfer")]),
            HideCase(parameters: [("MoveToFolder", "Conversation History"), ("SubjectContainsWords", "MFA")]),
            HideCase(parameters: [("PermanentDelete", "True"), ("SubjectContainsWords", "password")]),
        ])
    func hidingActions(_ hide: HideCase) {
        var inputs = EngineInputs()
        inputs.cmdlet("New-InboxRule", [("Name", "Tidy")] + hide.parameters, by: Self.alice, id: "hide", at: H.time(1))
        #expect(H.run(inputs).found == ["alice@contoso.com hidingRule medium"])
    }

    @Test("a hiding rule written as one PowerShell string, with a list of words, is found")
    func powerShellStringHidingRule() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            powerShell:
                #"-Name "." -MoveToFolder "alice@contoso.com:\RSS Feeds" -SubjectOrBodyContainsWords "phishing","account verification" -MarkAsRead:$true -StopProcessingRules $true"#,
            by: Self.alice, id: "hide", at: H.time(1), clientIP: "[2a0d:5600::1]:443")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com hidingRule medium"])
        let story = try #require(run.story(.hidingRule, of: Self.alice))
        // Both signals: the words and a name made only of punctuation.
        #expect(story.confidence == 80)
        #expect(story.entities.ipAddresses.map(\.address) == ["2a0d:5600::1"])
    }

    @Test("a rule with a name made only of punctuation that marks mail read hides, whatever its words")
    func punctuationNameHides() throws {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", ".,."), ("MarkAsRead", "True"), ("From", "newsletter@news.example")],
            by: Self.alice, id: "hide", at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com hidingRule medium"])
        #expect(run.story(.hidingRule, of: Self.alice)?.evidence.first?.matched["why"]?.contains("punctuation") == true)
    }

    @Test("a permanent delete does not raise a hiding story above medium")
    func permanentDeleteStaysMedium() {
        var inputs = EngineInputs()
        inputs.graphRule(
            mailbox: Self.alice, id: "rule-1", at: H.time(1), name: "Clean",
            actions: ["permanentDelete": true, "stopProcessingRules": true],
            conditions: ["subjectContains": ["Security alert", "password reset"]])
        #expect(H.run(inputs).found == ["alice@contoso.com hidingRule medium"])
    }

    @Test("a Graph messageRule that marks read mail mentioning MFA hides")
    func graphMarkAsRead() {
        var inputs = EngineInputs()
        inputs.graphRule(
            mailbox: Self.alice, id: "rule-1", at: H.time(1), name: "Quiet",
            actions: ["markAsRead": true], conditions: ["bodyOrSubjectContains": ["MFA"]])
        #expect(H.run(inputs).found == ["alice@contoso.com hidingRule medium"])
    }

    @Test("a desktop Outlook rule (UpdateInboxRules) that moves mail about hacking to RSS Feeds hides")
    func outlookHidingRule() {
        var inputs = EngineInputs()
        inputs.outlookRule(
            by: Self.alice, id: "ol", at: H.time(1), name: "rss",
            actions: #"[{"ActionType":"MoveToFolder","Folder":"\\RSS Feeds"},{"ActionType":"MarkAsRead"}]"#,
            condition: "Subject contains (hacked OR suspicious)")
        #expect(H.run(inputs).found == ["alice@contoso.com hidingRule medium"])
    }

    // MARK: What is not hiding

    @Test("a rule that files newsletters into a folder of the user's own opens no story")
    func ownFolderIsNotHiding() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            [("Name", "Newsletters"), ("SubjectContainsWords", "newsletter"), ("MoveToFolder", "Newsletters")],
            by: Self.alice, id: "tidy", at: H.time(1))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("a rule that archives or deletes mail with ordinary words and an ordinary name opens no story")
    func ordinaryWordsAreNotHiding() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Lunch"), ("SubjectContainsWords", "team lunch"), ("MoveToFolder", "Archive")],
            by: Self.alice, id: "tidy-1", at: H.time(1))
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Old alerts"), ("From", "build@ci.example"), ("DeleteMessage", "True")],
            by: Self.alice, id: "tidy-2", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("a keyword counts only at the start of a word: unwired and aphish are no hiding words")
    func keywordsMatchAtWordStarts() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            [("Name", "Hardware"), ("SubjectContainsWords", "unwired;aphish"), ("DeleteMessage", "True")],
            by: Self.alice, id: "tidy", at: H.time(1))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("words without a hiding action are no hiding rule")
    func wordsWithoutAnAction() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", "Flag"), ("SubjectContainsWords", "invoice"), ("MoveToFolder", "Finance")],
            by: Self.alice, id: "flag", at: H.time(1))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("a hiding rule that also forwards outside is told by the forwarding story, high as it keeps no copy")
    func hidingAndForwardingOutside() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            [
                ("Name", "..."), ("SubjectContainsWords", "invoice"), ("ForwardTo", "drop@evil.example"),
                ("DeleteMessage", "True"),
            ], by: Self.alice, id: "both", at: H.time(1))
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding high"])
    }

    @Test("a hiding rule that forwards only to a colleague is still a hiding rule")
    func hidingWithInternalForward() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule",
            [
                ("Name", "Payments"), ("SubjectContainsWords", "payment"), ("ForwardTo", "bob@contoso.com"),
                ("DeleteMessage", "True"),
            ], by: Self.alice, id: "both", at: H.time(1))
        #expect(H.run(inputs).found == ["alice@contoso.com hidingRule medium"])
    }

    @Test(
        "a hiding rule being removed or disabled opens no story", arguments: ["Remove-InboxRule", "Disable-InboxRule"])
    func removedHidingRule(_ cmdlet: String) {
        var inputs = EngineInputs()
        inputs.cmdlet(
            cmdlet,
            [("Identity", #"alice@contoso.com\..."#), ("SubjectContainsWords", "invoice"), ("DeleteMessage", "True")],
            by: Self.alice, id: "gone", at: H.time(1))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test(
        "system actors and applications making a hiding rule never open a story",
        arguments: ExternalForwardingTests.Actor.all)
    func systemActorsNeverHide(_ actor: ExternalForwardingTests.Actor) {
        var inputs = EngineInputs()
        let parameters = [
            ("Mailbox", Self.alice), ("Name", "..."), ("SubjectContainsWords", "invoice"),
            ("MoveToFolder", "RSS Feeds"),
        ]
        inputs.cmdlet(
            "New-InboxRule", parameters, by: actor.userId, userType: actor.userType, id: "hide", at: H.time(1))
        inputs.cmdlet(
            "New-InboxRule", parameters, by: actor.userId, userType: actor.userType, id: "hide-keyed", at: H.time(2),
            keyedTo: Self.alice)
        #expect(H.run(inputs).found.isEmpty)
    }

    // MARK: Tuning

    @Test("the tenant's own hiding keywords replace the shipped ones")
    func tunedKeywords() {
        var inputs = EngineInputs()
        inputs.cmdlet(
            "New-InboxRule", [("Name", "W"), ("SubjectContainsWords", "crypto wallet"), ("DeleteMessage", "True")],
            by: Self.alice, id: "tuned", at: H.time(1))
        inputs.cmdlet(
            "New-InboxRule", [("Name", "I"), ("SubjectContainsWords", "invoice"), ("DeleteMessage", "True")],
            by: H.bob, id: "shipped", at: H.time(1))
        let run = H.run(inputs, configuration: H.configuration(DetectionConfiguration(hidingKeywords: ["Crypto"])))
        #expect(run.found == ["alice@contoso.com hidingRule medium"])
    }

    @Test("a VIP's hiding story is high")
    func vipHidingIsHigh() {
        var inputs = EngineInputs()
        inputs.userProfile(user: Self.alice, at: H.time(0.5), jobTitle: "Treasurer")
        inputs.cmdlet(
            "New-InboxRule", [("Name", "x"), ("SubjectContainsWords", "invoice"), ("DeleteMessage", "True")],
            by: Self.alice, id: "hide", at: H.time(1))
        #expect(H.run(inputs).found == ["alice@contoso.com hidingRule high"])
    }
}
