import Events
import Foundation
import Testing

@testable import Correlation

struct AuditRuleNormalizationTests {
    @Test func newInboxRuleForwardingOutsideIsAnInboxRuleWithItsDestinationsAndHiding() throws {
        let record = try RawRecords.cmdlet(
            "New-InboxRule",
            [
                ("Name", "."), ("SubjectContainsWords", "invoice;Payment, wire"), ("From", "ceo@contoso.com"),
                ("ForwardTo", "SMTP:Eve@Evil.example;mallory@evil.example"), ("DeleteMessage", "True"),
                ("MoveToFolder", "alice@contoso.com:\\RSS Feeds"), ("MarkAsRead", "True"),
                ("StopProcessingRules", "True"),
            ], clientIP: "[2001:db8::7]:443")
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .inboxRule)
        #expect(event.operation == "New-InboxRule")
        #expect(event.actorType == .user)
        #expect(event.ipAddress == "2001:db8::7")
        #expect(event.ruleName == ".")
        #expect(event.parameters["ForwardTo"] == "SMTP:Eve@Evil.example;mallory@evil.example")
        let rule = try #require(event.rule)
        #expect(rule.change == .created)
        #expect(rule.forwardTo == ["eve@evil.example", "mallory@evil.example"])
        #expect(rule.deletes && rule.marksAsRead && rule.stopsProcessing)
        #expect(rule.moveToFolder == "rssfeeds")
        #expect(rule.keywords == ["invoice", "payment", "wire", "ceo@contoso.com"])
    }

    @Test func parametersAsOnePowerShellStringReadTheSameAsTheArray() throws {
        let record = try RawRecords.cmdlet(
            "New-InboxRule",
            powerShell: #"-Name "x" -ForwardAsAttachmentTo 'smtp:eve@evil.example' -RedirectTo "bob@contoso.com" "#
                + #"-MoveToFolder ":\Archive" -StopProcessingRules $true"#)
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .inboxRule)
        #expect(event.ipAddress == "203.0.113.7")
        #expect(event.parameters["Name"] == "x")
        let rule = try #require(event.rule)
        #expect(rule.forwardAsAttachmentTo == ["eve@evil.example"])
        #expect(rule.redirectTo == ["bob@contoso.com"])
        #expect(rule.moveToFolder == "archive")
        #expect(rule.stopsProcessing)
        #expect(!rule.deletes)
    }

    @Test(arguments: [
        ("Set-InboxRule", SecurityEvent.RuleDetail.Change.updated), ("Enable-InboxRule", .enabled),
        ("Disable-InboxRule", .disabled), ("Remove-InboxRule", .removed),
    ])
    func theCmdletVerbSaysWhatHappenedToTheRuleAndIdentityNamesIt(
        cmdlet: String, change: SecurityEvent.RuleDetail.Change
    )
        throws
    {
        let record = try RawRecords.cmdlet(cmdlet, [("Identity", "alice@contoso.com\\Move to RSS")])
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .inboxRule)
        #expect(event.rule?.change == change)
        #expect(event.ruleId == "alice@contoso.com\\Move to RSS")
        #expect(event.ruleName == "Move to RSS")
    }

    @Test func aRuleMadeByExchangesServiceProcessIsASystemActorsRule() throws {
        let record = try RawRecords.cmdlet(
            "New-InboxRule",
            [("Mailbox", "alice@contoso.com"), ("Name", "Junk E-mail Rule"), ("MoveToFolder", "alice:\\Junk Email")],
            userId: "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)", userType: "\"3\"")
        let event = try RawRecords.normalize(RawRecords.audit(record, subject: "~system"))
        #expect(event.kind == .inboxRule)
        #expect(event.actorType == .system)
        #expect(event.user == "~system")
        #expect(event.rule?.moveToFolder == "junkemail")
    }

    @Test func outlookRulesFromUpdateInboxRulesReadTheirJSONActionsAndTextCondition() throws {
        let actions =
            #"[{"ActionType":"Forward","Recipients":["SMTP:eve@evil.example"]},{"ActionType":"Delete"},"#
            + #"{"ActionType":"MoveToFolder","Folder":"\\Conversation History"},{"ActionType":"MarkAsRead"}]"#
        let record = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"r1","Operation":"UpdateInboxRules","RecordType":"2",
             "UserType":0,"UserId":"alice@contoso.com","ClientIPAddress":"::ffff:198.51.100.4",
             "OperationProperties":[{"Name":"RuleActions","Value":\(JSONValue.quoted(actions))},
              {"Name":"RuleCondition","Value":"Subject contains (invoice OR wire) AND From (ceo@contoso.com)"},
              {"Name":"RuleId","Value":"AQAAAx1="},{"Name":"RuleName","Value":"Tidy"},
              {"Name":"RuleOperation","Value":"AddMailboxRule"}]}
            """)
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .inboxRule)
        #expect(event.ipAddress == "198.51.100.4")
        #expect(event.ruleName == "Tidy")
        #expect(event.ruleId == "AQAAAx1=")
        #expect(event.parameters["RuleOperation"] == "AddMailboxRule")
        let rule = try #require(event.rule)
        #expect(rule.change == .created)
        #expect(rule.forwardTo == ["eve@evil.example"])
        #expect(rule.deletes && rule.marksAsRead)
        #expect(rule.moveToFolder == "conversationhistory")
        #expect(rule.keywords == ["invoice", "wire", "ceo@contoso.com"])
    }

    @Test func outlookRuleConditionsAsJSONGiveTheirValuesAsKeywords() throws {
        let condition =
            #"{"Type":"AndCondition","SubConditions":[{"Type":"ContentCondition","Value":"Payroll"},"#
            + #"{"Type":"ContentCondition","Values":["Bank","IBAN"]}]}"#
        let record = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"r1","Operation":"UpdateInboxRules","UserType":0,
             "UserId":"alice@contoso.com","OperationProperties":[
              {"Name":"RuleActions","Value":"[{\\"ActionType\\":\\"RedirectToRecipientsAction\\",\\"Recipients\\":[{\\"Address\\":\\"eve@evil.example\\"}]}]"},
              {"Name":"RuleCondition","Value":\(JSONValue.quoted(condition))},
              {"Name":"RuleOperation","Value":"RemoveMailboxRule"}]}
            """)
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.rule?.change == .removed)
        #expect(event.rule?.redirectTo == ["eve@evil.example"])
        #expect(Set(event.rule?.keywords ?? []) == ["payroll", "bank", "iban"])
    }

    @Test func outlookRuleActionsThatAreNotJSONAreStillScannedForAddressesAndFlags() throws {
        let record = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"r1","Operation":"UpdateInboxRules","UserType":0,
             "UserId":"alice@contoso.com","OperationProperties":[
              {"Name":"RuleActions","Value":"ForwardToRecipientsAction: Eve@Evil.example; MarkAsReadAction"},
              {"Name":"RuleOperation","Value":"ModifyMailboxRule"}]}
            """)
        let rule = try #require(try RawRecords.normalize(RawRecords.audit(record)).rule)
        #expect(rule.change == .updated)
        #expect(rule.forwardTo == ["eve@evil.example"])
        #expect(rule.marksAsRead)
    }
}
