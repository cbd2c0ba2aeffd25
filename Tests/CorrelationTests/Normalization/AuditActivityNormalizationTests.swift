import Events
import Foundation
import Testing

@testable import Correlation

/// Sign-ins, security info, threat records and mail items from the audit feed.
struct AuditActivityNormalizationTests {
    static func signIn(_ operation: String, extended: String, error: String = "0") throws -> JSONValue {
        try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"s1","Operation":"\(operation)","RecordType":"15",
             "ResultStatus":"\(operation == "UserLoggedIn" ? "Success" : "Failed")","UserType":"0",
             "UserId":"8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1","ClientIP":"[2001:db8::9]:51000",
             "ActorIpAddress":"2001:db8::9","ApplicationId":"00000002-0000-0ff1-ce00-000000000000",
             "ExtendedProperties":\(extended),"DeviceProperties":[{"Name":"TrustType","Value":""}],
             "ErrorNumber":"\(error)"}
            """)
    }

    @Test func userLoggedInIsASuccessfulSignInFromTheAuditLog() throws {
        let record = try Self.signIn(
            "UserLoggedIn",
            extended:
                #"[{"Name":"UserAgent","Value":"python-requests/2.31"},{"Name":"RequestType","Value":"OAuth2:Token"}]"#)
        let event = try RawRecords.normalize(
            RawRecords.audit(record, subject: "id:8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1"))
        #expect(event.kind == .signIn)
        #expect(event.user == "id:8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1")
        #expect(event.ipAddress == "2001:db8::9")
        #expect(event.parameters["UserAgent"] == "python-requests/2.31")
        let detail = try #require(event.signIn)
        #expect(detail.succeeded)
        #expect(detail.fromAuditLog)
        #expect(detail.errorCode == 0)
        #expect(detail.knownDevice == false)
        #expect(detail.application == "00000002-0000-0ff1-ce00-000000000000")
    }

    @Test func userLoginFailedIsAFailedSignInWithItsErrorNumber() throws {
        let record = try Self.signIn(
            "UserLoginFailed", extended: #""ResultStatusDetail=UserError; UserAgent=Mozilla/5.0 (X11; Linux)""#,
            error: "50126")
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .signIn)
        #expect(event.signIn?.succeeded == false)
        #expect(event.signIn?.errorCode == 50126)
        #expect(event.parameters["UserAgent"] == "Mozilla/5.0 (X11; Linux)")
    }

    @Test(arguments: ["User registered security info", "User changed default security info", "Register security info"])
    func securityInfoOperationsAreSecurityInfoChanges(operation: String) throws {
        let record = try RawRecords.json(
            #"{"CreationTime":"2026-11-20T01:02:03","Id":"x","Operation":"\#(operation)","RecordType":8,"UserId":"alice@contoso.com"}"#
        )
        #expect(try RawRecords.normalize(RawRecords.audit(record)).kind == .securityInfoChange)
    }

    @Test func updateUserTouchingStrongAuthenticationIsASecurityInfoChangeAndOtherUpdatesAreNot() throws {
        let mfa = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"x","Operation":"Update user.","RecordType":8,"UserType":0,
             "UserId":"alice@contoso.com","ModifiedProperties":[
              {"Name":"StrongAuthenticationPhoneAppDetail","NewValue":"[{...}]","OldValue":"[]"},
              {"Name":"Included Updated Properties","NewValue":"StrongAuthenticationPhoneAppDetail","OldValue":""}]}
            """)
        #expect(try RawRecords.normalize(RawRecords.audit(mfa)).kind == .securityInfoChange)
        let title = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"x","Operation":"Update user.","RecordType":8,
             "UserId":"alice@contoso.com","ModifiedProperties":[{"Name":"JobTitle","NewValue":"CFO","OldValue":""}]}
            """)
        #expect(try RawRecords.normalize(RawRecords.audit(title)).kind == .generic)
        let revoke = try RawRecords.json(
            #"{"CreationTime":"2026-11-20T01:02:03","Id":"x","Operation":"Update StsRefreshTokenValidFrom Timestamp.","UserId":"a@b.c"}"#
        )
        #expect(try RawRecords.normalize(RawRecords.audit(revoke)).kind == .generic)
    }

    static func mailData(verdict: String, delivery: String) throws -> JSONValue {
        try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"t1","Operation":"TIMailData","RecordType":"28","UserType":"4",
             "UserId":"ThreatIntelligence","DeliveryAction":"\(delivery)","Verdict":"\(verdict)",
             "Recipients":["Alice@contoso.com","bob@contoso.com"],"P1Sender":"billing@contoso-billing.example",
             "Subject":"Payment failed","InternetMessageId":"<m1@contoso-billing.example>",
             "NetworkMessageId":"0f0e0d0c-0000-4000-8000-000000000001","SenderIp":"192.0.2.44"}
            """)
    }

    @Test func aDeliveredPhishInTIMailDataIsPhishDeliveredToItsRecipients() throws {
        let event = try RawRecords.normalize(
            RawRecords.audit(Self.mailData(verdict: "Phish", delivery: "Delivered"), subject: "~system"))
        #expect(event.kind == .phishDelivered)
        #expect(event.user == "~system")
        #expect(event.actorType == .system)
        let mail = try #require(event.mail)
        #expect(mail.recipients == ["alice@contoso.com", "bob@contoso.com"])
        #expect(mail.sender == "billing@contoso-billing.example")
        #expect(mail.subject == "Payment failed")
        #expect(mail.verdict == "Phish")
        #expect(event.messageIds == ["<m1@contoso-billing.example>", "0f0e0d0c-0000-4000-8000-000000000001"])
        #expect(event.parameters["SenderIp"] == "192.0.2.44")
    }

    @Test(arguments: [("Phish", "Blocked"), ("Spam", "Delivered"), ("Malware", "Junked")])
    func blockedPhishOrDeliveredSpamIsNotPhishDelivered(verdict: String, delivery: String) throws {
        let event = try RawRecords.normalize(RawRecords.audit(Self.mailData(verdict: verdict, delivery: delivery)))
        #expect(event.kind == .generic)
        #expect(event.mail?.deliveryAction == delivery)
    }

    static func alert(name: String) throws -> JSONValue {
        let data =
            #"{"etype":"User","eid":"alice@contoso.com","f3u":"alice@contoso.com","mid":"<m1@x.example>","ms":"Payment failed","tsd":"billing@x.example"}"#
        return try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"a1","Operation":"AlertTriggered","RecordType":"40","UserType":4,
             "UserId":"SecurityComplianceAlerts","AlertId":"al-9","Name":\(JSONValue.quoted(name)),"Severity":"High",
             "Category":"ThreatManagement","Source":"Office 365 Security & Compliance","Data":\(JSONValue.quoted(data))}
            """)
    }

    @Test func theUserReportedPhishAlertIsAPhishReportWithTheReportedMessage() throws {
        let event = try RawRecords.normalize(
            RawRecords.audit(Self.alert(name: "Email reported by user as malware or phish")))
        #expect(event.kind == .phishReported)
        let mail = try #require(event.mail)
        #expect(mail.reporter == "alice@contoso.com")
        #expect(mail.sender == "billing@x.example")
        #expect(mail.subject == "Payment failed")
        #expect(mail.internetMessageId == "<m1@x.example>")
        #expect(event.parameters["f3u"] == "alice@contoso.com")
    }

    @Test func otherComplianceAlertsAreDefenderAlerts() throws {
        let event = try RawRecords.normalize(
            RawRecords.audit(Self.alert(name: "Suspicious email sending patterns detected")))
        #expect(event.kind == .defenderAlert)
        #expect(
            event.alert
                == .init(
                    alertId: "al-9", title: "Suspicious email sending patterns detected", severity: "high",
                    detectionSource: "Office 365 Security & Compliance", category: "ThreatManagement"))
    }

    @Test func sendIsMailSentWithItsMessage() throws {
        let record = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"m1","Operation":"Send","RecordType":2,"UserType":0,
             "UserId":"alice@contoso.com","ClientIP":"203.0.113.7","MailboxOwnerUPN":"alice@contoso.com",
             "Item":{"Id":"AAMk1","InternetMessageId":"<s1@contoso.com>","Subject":"Urgent: invoice",
                     "Recipients":"bob@partner.example; SMTP:carol@partner.example"}}
            """)
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .mailSent)
        #expect(event.mail?.subject == "Urgent: invoice")
        #expect(event.mail?.recipients == ["bob@partner.example", "carol@partner.example"])
        #expect(event.mail?.sender == "alice@contoso.com")
        #expect(event.messageIds == ["<s1@contoso.com>"])
    }

    @Test(arguments: ["SoftDelete", "HardDelete", "MoveToDeletedItems"])
    func deletionsAreMailDeletedWithTheirMessagesAndCount(operation: String) throws {
        let record = try RawRecords.json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"d1","Operation":"\(operation)","RecordType":2,"UserType":0,
             "UserId":"alice@contoso.com","ClientIP":"203.0.113.7:1234",
             "AffectedItems":[{"Id":"AAMk1","InternetMessageId":"<a@x>","Subject":"one"},{"Id":"AAMk2","Subject":"two"}],
             "Folder":{"Id":"Lg","Path":"\\\\Inbox"}}
            """)
        let event = try RawRecords.normalize(RawRecords.audit(record))
        #expect(event.kind == .mailDeleted)
        #expect(event.messageIds == ["<a@x>", "AAMk2"])
        #expect(event.parameters["count"] == "2")
        #expect(event.ipAddress == "203.0.113.7")
    }
}
