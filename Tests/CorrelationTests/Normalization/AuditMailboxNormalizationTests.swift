import Events
import Foundation
import Testing

@testable import Correlation

struct AuditMailboxNormalizationTests {
    @Test func setMailboxForwardingIsMailboxForwardingWithoutTheSmtpPrefix() throws {
        let record = try RawRecords.cmdlet(
            "Set-Mailbox",
            [
                ("Identity", "alice@contoso.com"), ("ForwardingSmtpAddress", "smtp:Eve@Evil.example"),
                ("DeliverToMailboxAndForward", "False"),
            ])
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .mailboxForwarding)
        let rule = try #require(event.rule)
        #expect(rule.change == .updated)
        #expect(rule.forwardTo == ["eve@evil.example"])
        #expect(rule.keepsCopy == false)
    }

    @Test func clearingForwardingWithNullIsARemoval() throws {
        let record = try RawRecords.cmdlet(
            "Set-Mailbox",
            powerShell: "-Identity alice@contoso.com -ForwardingSmtpAddress $null -ForwardingAddress $null")
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .mailboxForwarding)
        #expect(event.rule?.change == .removed)
        #expect(event.rule?.forwardTo == [])
        #expect(event.parameters["ForwardingSmtpAddress"] == "")
    }

    @Test func clearingForwardingWithAnEmptyValueIsARemoval() throws {
        let record = try RawRecords.cmdlet("Set-Mailbox", [("Identity", "alice"), ("ForwardingSmtpAddress", "")])
        #expect(try RawRecords.normalize(RawRecords.audit(record)).rule?.change == .removed)
    }

    @Test func setMailboxWithoutForwardingOrDelegationIsGeneric() throws {
        let record = try RawRecords.cmdlet(
            "Set-Mailbox", [("Identity", "alice"), ("RetentionPolicy", "Default MRM Policy")],
            userId: "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)", userType: "3")
        let event = try RawRecords.normalize(RawRecords.audit(record, subject: "~system"))
        #expect(event.kind == .generic)
        #expect(event.actorType == .system)
        #expect(event.parameters["RetentionPolicy"] == "Default MRM Policy")
    }

    @Test func grantSendOnBehalfIsDelegation() throws {
        let record = try RawRecords.cmdlet(
            "Set-Mailbox", [("Identity", "alice@contoso.com"), ("GrantSendOnBehalfTo", "SMTP:Eve@Contoso.com")])
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .mailboxDelegation)
        #expect(
            event.delegation
                == .init(rights: ["SendOnBehalf"], mailbox: "alice@contoso.com", grantee: "eve@contoso.com"))
    }

    @Test func fullAccessAndSendAsGrantsAreDelegation() throws {
        let fullAccess = try RawRecords.normalize(
            RawRecords.audit(
                RawRecords.cmdlet(
                    "Add-MailboxPermission",
                    [("Identity", "Alice@contoso.com"), ("User", "eve@contoso.com"), ("AccessRights", "FullAccess")],
                    userType: "2")))
        #expect(fullAccess.kind == .mailboxDelegation)
        #expect(fullAccess.actorType == .admin)
        #expect(fullAccess.delegation?.rights == ["FullAccess"])
        #expect(fullAccess.delegation?.mailbox == "alice@contoso.com")
        #expect(fullAccess.delegation?.grantee == "eve@contoso.com")
        let sendAs = try RawRecords.normalize(
            RawRecords.audit(
                RawRecords.cmdlet(
                    "Add-RecipientPermission", [("Identity", "alice@contoso.com"), ("Trustee", "eve@contoso.com")])))
        #expect(sendAs.kind == .mailboxDelegation)
        #expect(sendAs.delegation?.rights == ["SendAs"])
        #expect(sendAs.delegation?.grantee == "eve@contoso.com")
    }

    @Test func transportRulesThatRedirectOrCopyAreTransportRules() throws {
        let record = try RawRecords.cmdlet(
            "New-TransportRule",
            [
                ("Name", "Audit copy"), ("BlindCopyTo", "smtp:archive@evil.example;x@evil.example"),
                ("RedirectMessageTo", "eve@evil.example"), ("CopyTo", "bob@contoso.com"),
                ("SubjectContainsWords", "invoice"),
            ], userType: "2")
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .transportRule)
        #expect(event.ruleName == "Audit copy")
        let rule = try #require(event.rule)
        #expect(rule.change == .created)
        #expect(rule.blindCopyTo == ["archive@evil.example", "x@evil.example"])
        #expect(rule.redirectTo == ["eve@evil.example"])
        #expect(rule.forwardTo == ["bob@contoso.com"])
        #expect(rule.keywords == ["invoice"])
        #expect(rule.destinations.count == 4)
        let changed = try RawRecords.normalize(
            RawRecords.audit(
                RawRecords.cmdlet("Set-TransportRule", [("Identity", "Audit copy"), ("BlindCopyTo", "$null")])))
        #expect(changed.kind == .transportRule)
        #expect(changed.rule?.change == .updated)
        #expect(changed.ruleId == "Audit copy")
    }

    @Test func unknownOperationsAreGenericWithTheirParametersKept() throws {
        let record = try RawRecords.cmdlet(
            "Set-MailboxFolderPermission", [("Identity", "alice:\\Calendar"), ("User", "Default")])
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .generic)
        #expect(event.operation == "Set-MailboxFolderPermission")
        #expect(event.parameters == ["Identity": "alice:\\Calendar", "User": "Default"])
        #expect(event.ipAddress == "203.0.113.7")
    }
}
