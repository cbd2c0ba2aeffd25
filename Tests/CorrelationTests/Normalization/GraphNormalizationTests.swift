import Events
import Foundation
import Testing

@testable import Correlation

struct GraphNormalizationTests {
    static let signIn = """
        {"id":"si-1","createdDateTime":"2026-11-20T01:02:03Z","userPrincipalName":"Alice@contoso.com",
         "appDisplayName":"Office 365 Exchange Online","ipAddress":"[2001:db8::5]:443","clientAppUsed":"Browser",
         "riskLevelDuringSignIn":"none","riskLevelAggregated":"medium","riskState":"atRisk",
         "status":{"errorCode":0,"failureReason":""},"authenticationRequirement":"singleFactorAuthentication",
         "deviceDetail":{"trustType":"","isManaged":false},
         "location":{"city":"Lagos","countryOrRegion":"ng","geoCoordinates":{"latitude":6.45,"longitude":3.39}}}
        """

    @Test func aGraphSignInCarriesLocationRiskAndDevice() throws {
        let event = try RawRecords.normalize(RawRecords.mail(.signIn, Self.signIn))
        #expect(event.kind == .signIn)
        #expect(event.operation == "signIn")
        #expect(event.time == RawRecords.recordTime)
        #expect(event.ipAddress == "2001:db8::5")
        #expect(event.country == "NG")
        let detail = try #require(event.signIn)
        #expect(detail.succeeded)
        #expect(!detail.fromAuditLog)
        #expect(detail.riskLevel == "medium")
        #expect(detail.riskState == "atRisk")
        #expect(detail.singleFactor == true)
        #expect(detail.knownDevice == false)
        #expect(detail.application == "Office 365 Exchange Online")
        #expect(detail.latitude == 6.45 && detail.longitude == 3.39)
    }

    @Test func aGraphSignInWithAnErrorCodeFailed() throws {
        let text = Self.signIn.replacingOccurrences(of: #""errorCode":0"#, with: #""errorCode":50126"#)
        let detail = try #require(try RawRecords.normalize(RawRecords.mail(.signIn, text)).signIn)
        #expect(!detail.succeeded)
        #expect(detail.errorCode == 50126)
    }

    @Test func aRiskyUserIsARiskChangeAtItsOwnTime() throws {
        let event = try RawRecords.normalize(
            RawRecords.mail(
                .riskyUser,
                #"{"id":"u1","riskLastUpdatedDateTime":"2026-11-20T01:02:03.0000000Z","riskLevel":"High","riskState":"atRisk","riskDetail":"none","userPrincipalName":"alice@contoso.com"}"#,
                change: .updated))
        #expect(event.kind == .riskChange)
        #expect(event.time == RawRecords.recordTime)
        #expect(event.signIn?.riskLevel == "high")
        #expect(event.signIn?.riskState == "atRisk")
        #expect(event.parameters["riskDetail"] == "none")
        #expect(event.parameters["changeKind"] == "updated")
    }

    static let rule = """
        {"id":"AQAAAJ5=","displayName":"..","sequence":2,"isEnabled":true,
         "conditions":{"subjectContains":["Invoice","wire"],"senderContains":["ceo"]},
         "actions":{"forwardTo":[{"emailAddress":{"name":"Eve","address":"Eve@Evil.example"}}],
                    "redirectTo":[{"emailAddress":{"name":"x","address":"x@evil.example"}}],
                    "moveToFolder":"rssfeeds","permanentDelete":true,"markAsRead":true,"stopProcessingRules":true}}
        """

    @Test func aGraphMessageRuleIsAnInboxRuleAtCollectionTime() throws {
        let event = try RawRecords.normalize(RawRecords.mail(.messageRule, Self.rule))
        #expect(event.kind == .inboxRule)
        #expect(event.time == RawRecords.collectedAt)
        #expect(event.ruleId == "AQAAAJ5=")
        #expect(event.ruleName == "..")
        let rule = try #require(event.rule)
        #expect(rule.change == .created)
        #expect(rule.forwardTo == ["eve@evil.example"])
        #expect(rule.redirectTo == ["x@evil.example"])
        #expect(rule.deletes && rule.marksAsRead && rule.stopsProcessing)
        #expect(rule.moveToFolder == "rssfeeds")
        #expect(rule.keywords == ["invoice", "wire", "ceo"])
    }

    @Test(arguments: [
        (RawMailEnvelope.ChangeKind.created, SecurityEvent.RuleDetail.Change.created), (.updated, .updated),
        (.removed, .removed),
    ])
    func theChangeKindOfAGraphRuleIsTheRulesChange(
        kind: RawMailEnvelope.ChangeKind, change: SecurityEvent.RuleDetail.Change
    )
        throws
    {
        let text = kind == .removed ? #"{"id":"AQAAAJ5=","@removed":{"reason":"deleted"}}"# : Self.rule
        let event = try RawRecords.normalize(RawRecords.mail(.messageRule, text, change: kind))
        #expect(event.rule?.change == change)
        #expect(event.ruleId == "AQAAAJ5=")
    }

    @Test func anOrdinaryMessageIsGenericAndOneWithAPhishVerdictIsPhishDelivered() throws {
        let message = """
            {"id":"AAMk9","receivedDateTime":"2026-11-20T01:02:03Z","internetMessageId":"<p@x.example>",
             "subject":"Payment failed","from":{"emailAddress":{"name":"Billing","address":"Billing@X.example"}},
             "toRecipients":[{"emailAddress":{"name":"Alice","address":"alice@contoso.com"}}]}
            """
        let plain = try RawRecords.normalize(RawRecords.mail(.message, message))
        #expect(plain.kind == .generic)
        #expect(plain.time == RawRecords.recordTime)
        #expect(plain.mail?.sender == "billing@x.example")
        #expect(plain.messageIds == ["<p@x.example>", "AAMk9"])
        let flagged = message.replacingOccurrences(
            of: #""subject""#,
            with:
                #""internetMessageHeaders":[{"name":"X-Forefront-Antispam-Report","value":"CIP:192.0.2.1;CTRY:NG;SFV:SPM;CAT:PHSH;"}],"subject""#
        )
        let phish = try RawRecords.normalize(RawRecords.mail(.message, flagged))
        #expect(phish.kind == .phishDelivered)
        #expect(phish.mail?.verdict == "Phish")
        #expect(phish.mail?.recipients == ["alice@contoso.com"])
    }

    @Test func aRemovedMessageHasNoTimeOfItsOwnAndIsGeneric() throws {
        let envelope = RawRecords.mailEnvelope(
            .message, try RawRecords.json(#"{"id":"AAMk9","@removed":{"reason":"deleted"}}"#), change: .removed,
            resourceId: "AAMk9")
        let event = try RawRecords.normalize(RawRecords.mail(envelope))
        #expect(event.kind == .generic)
        #expect(event.time == RawRecords.collectedAt)
        #expect(event.parameters["removedReason"] == "deleted")
    }

    @Test func aThreatSubmissionIsAPhishReport() throws {
        let event = try RawRecords.normalize(
            RawRecords.mail(
                .threatSubmission,
                """
                {"id":"ts1","createdDateTime":"2026-11-20T01:02:03Z","category":"phishing",
                 "createdBy":{"user":{"id":"u1","email":"Alice@contoso.com"}},"recipientEmailAddress":"alice@contoso.com",
                 "internetMessageId":"<p@x.example>","subject":"Payment failed","sender":"billing@x.example"}
                """))
        #expect(event.kind == .phishReported)
        #expect(
            event.mail
                == .init(
                    sender: "billing@x.example", subject: "Payment failed", recipients: ["alice@contoso.com"],
                    internetMessageId: "<p@x.example>", verdict: "phishing", reporter: "alice@contoso.com"))
    }

    @Test func aUserReportIsAPhishReportByTheReporter() throws {
        let event = try RawRecords.normalize(
            RawRecords.mail(
                .userReport,
                """
                {"reporter":"alice@contoso.com","reportedAt":"2026-11-20T01:02:03.000Z","reportMessageId":"AAMkR",
                 "reportedMessage":{"sender":"billing@x.example","subject":"Payment failed","internetMessageId":"<p@x.example>"}}
                """))
        #expect(event.kind == .phishReported)
        #expect(event.time == RawRecords.recordTime)
        #expect(event.mail?.reporter == "alice@contoso.com")
        #expect(event.mail?.sender == "billing@x.example")
        #expect(event.mail?.internetMessageId == "<p@x.example>")
    }

    @Test func anAlertIsADefenderAlertWithTheMessageItAnalysed() throws {
        let event = try RawRecords.normalize(
            RawRecords.mail(
                .alert,
                """
                {"id":"da1","title":"Email messages containing malicious URL removed after delivery","severity":"High",
                 "detectionSource":"microsoftDefenderForOffice365","category":"InitialAccess",
                 "createdDateTime":"2026-11-20T01:02:03Z","lastUpdateDateTime":"2026-11-20T05:00:00Z",
                 "evidence":[{"@odata.type":"#microsoft.graph.security.analyzedMessageEvidence",
                   "internetMessageId":"<p@x.example>","networkMessageId":"nm-1","subject":"Payment failed",
                   "recipientEmailAddress":"alice@contoso.com","p1Sender":{"emailAddress":"billing@x.example"}}]}
                """))
        #expect(event.kind == .defenderAlert)
        #expect(event.time == RawRecords.recordTime)
        #expect(event.alert?.severity == "high")
        #expect(event.alert?.detectionSource == "microsoftDefenderForOffice365")
        #expect(event.messageIds == ["<p@x.example>", "nm-1"])
        #expect(event.mail?.sender == "billing@x.example")
    }

    @Test func aUserIsAProfileAndTheDomainListIsAcceptedDomainsBothAtCollectionTime() throws {
        let user = try RawRecords.normalize(
            RawRecords.mail(
                .user,
                #"{"id":"u1","userPrincipalName":"alice@contoso.com","displayName":"Alice","department":"Finance","jobTitle":"CFO","createdDateTime":"2020-01-01T00:00:00Z","manager":{"id":"u2","userPrincipalName":"Bob@contoso.com"}}"#,
                change: .updated))
        #expect(user.kind == .userProfile)
        #expect(user.time == RawRecords.collectedAt)
        #expect(
            user.profile
                == .init(displayName: "Alice", department: "Finance", jobTitle: "CFO", manager: "bob@contoso.com"))
        let domains = try RawRecords.normalize(
            RawRecords.mail(
                .domainList, #"{"value":[{"id":"Contoso.com","isDefault":true},{"id":"contoso.onmicrosoft.com"}]}"#,
                subject: "~unattributed"))
        #expect(domains.kind == .acceptedDomains)
        #expect(domains.user == "~unattributed")
        #expect(domains.time == RawRecords.collectedAt)
        #expect(domains.domains == ["contoso.com", "contoso.onmicrosoft.com"])
        let settings = try RawRecords.normalize(RawRecords.mail(.mailboxSettings, #"{"timeZone":"UTC"}"#))
        #expect(settings.kind == .generic)
        #expect(settings.time == RawRecords.collectedAt)
    }
}
