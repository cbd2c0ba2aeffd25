import Events
import Foundation
import Testing

@testable import Correlation

/// `loginThenPhish`: a suspicious sign-in (risky, new country from an unmanaged single-factor
/// device, impossible travel, failures then success) followed within the window by phishing
/// delivered to, reported by, alerted about or sent from the user. Always high.
@Suite("Detection: login then phish")
struct LoginThenPhishTests {
    typealias H = DetectionHarness
    static let alice = H.alice

    /// One way phishing shows up for the user, in a raw shape a collector publishes.
    enum Phishing: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case threatSubmission, userReport, graphMessageVerdict, graphReportedAlert, massMailSent

        var testDescription: String { rawValue }

        func add(to inputs: inout EngineInputs, user: String, id: String, at hours: Double) {
            switch self {
            case .threatSubmission:
                inputs.threatSubmission(recipient: user, reporter: user, id: id, at: H.time(hours))
            case .userReport:
                inputs.userReport(reporter: user, id: id, at: H.time(hours))
            case .graphMessageVerdict:
                inputs.graphMessage(mailbox: user, id: id, at: H.time(hours), category: "PHSH")
            case .graphReportedAlert:
                inputs.graphAlert(
                    about: user, id: id, at: H.time(hours), title: "Email reported by user as malware or phish",
                    severity: "informational")
            case .massMailSent:
                inputs.mailSent(
                    by: user, id: id, at: H.time(hours),
                    recipients: (0..<30).map { "buyer\($0)@customers-\($0 % 3).example" },
                    subject: "Updated bank details")
            }
        }
    }

    @Test("a risky sign-in followed within the window by phishing opens one high story", arguments: Phishing.allCases)
    func riskySignInThenPhishing(_ phishing: Phishing) throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        phishing.add(to: &inputs, user: Self.alice, id: "phish", at: 3)
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        let story = try #require(run.story(.loginThenPhish, of: Self.alice))
        #expect(story.entities.ipAddresses.map(\.address) == ["203.0.113.66"])
        #expect(story.timeline.count == 2)
        #expect(story.evidence.first?.matched["reasons"]?.contains("risk high") == true)
        #expect(run.deadLetters.isEmpty)
    }

    @Test("every phishing of the window joins the one story the sign-in opened")
    func severalPhishingOneStory() throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "p1", at: H.time(2))
        inputs.userReport(reporter: Self.alice, id: "p2", at: H.time(5))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        #expect(run.story(.loginThenPhish, of: Self.alice)?.timeline.count == 3)
        #expect(run.stories.map(\.kind) == [.opened, .evidenceAdded])
    }

    @Test(
        "a Defender alert after a risky sign-in opens the login-then-phish story and joins it, rather than a story of its own"
    )
    func defenderAlertJoinsTheLoginThenPhishStory() throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(2), severity: "medium")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        let story = try #require(run.story(.loginThenPhish, of: Self.alice))
        #expect(Set(story.evidence.map(\.detection)) == ["loginThenPhish", "defenderAlert"])
        #expect(story.entities.messageIds.contains("<alert-alert@contoso-invoices.example>"))
    }

    @Test(
        "a phishing mail Defender delivered (audit TIMailData, written by ThreatIntelligence with UserType 4) counts for its recipient"
    )
    func threatIntelligenceDeliveryCountsForTheRecipient() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.threatIntelligenceMail(recipients: [Self.alice], id: "ti", at: H.time(2))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        #expect(run.deadLetters.isEmpty)
    }

    @Test(
        "a user's report in the audit log (AlertTriggered, filed under the system actor) adds no story: the Graph threat submission tells it"
    )
    func auditUserReportLeavesTheStoryToGraph() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "submission", at: H.time(2))
        inputs.complianceAlert(
            name: "Email reported by user as malware or phish", severity: "Informational", about: Self.alice,
            id: "report", at: H.time(2.01))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        #expect(run.deadLetters.isEmpty)
    }

    // MARK: What is not login then phish

    @Test("phishing without a suspicious sign-in before it opens no story", arguments: Phishing.allCases)
    func phishingAlone(_ phishing: Phishing) {
        var inputs = EngineInputs()
        H.baseline(&inputs, user: Self.alice, before: 30)
        inputs.graphSignIn(
            user: Self.alice, id: "ordinary", at: H.time(30), ip: H.home.ip, country: "US", latitude: 47.6,
            longitude: -122.3, authentication: "singleFactorAuthentication", trustType: "")
        phishing.add(to: &inputs, user: Self.alice, id: "phish", at: 31)
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test(
        "phishing counts within the window after the sign-in, not later and not before",
        arguments: [(23.5, true), (24, true), (24.5, false), (-1, false)])
    func window(_ hoursAfter: Double, _ fires: Bool) {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 10)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(10 + hoursAfter))
        #expect(H.run(inputs).found == (fires ? ["alice@contoso.com loginThenPhish high"] : []))
    }

    @Test("a risky sign-in of one user and phishing of another make no story")
    func otherUsersPhishing() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: H.bob, id: "attack", at: 1)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("spam, or phishing that was blocked, is no phishing", arguments: ["SPM", "BLK"])
    func spamIsNotPhishing(_ category: String) {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.graphMessage(mailbox: Self.alice, id: "spam", at: H.time(2), category: category)
        inputs.threatIntelligenceMail(
            recipients: [Self.alice], id: "blocked", at: H.time(3), verdict: "Phish", deliveryAction: "Blocked")
        inputs.threatIntelligenceMail(
            recipients: [Self.alice], id: "spam-ti", at: H.time(4), verdict: "Spam", deliveryAction: "Delivered")
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("mail to fewer than the configured number of recipients, or to an allowlisted partner, is no mass mailing")
    func massMailThresholds() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.mailSent(
            by: Self.alice, id: "few", at: H.time(2), recipients: (0..<24).map { "buyer\($0)@customers.example" },
            subject: "Quote")
        inputs.mailSent(
            by: Self.alice, id: "partner", at: H.time(3), recipients: (0..<30).map { "p\($0)@partner.example" },
            subject: "Forecast")
        // 20 partners do not count: 10 others are below the threshold.
        inputs.mailSent(
            by: Self.alice, id: "mixed", at: H.time(4),
            recipients: (0..<20).map { "p\($0)@eu.partner.example" } + (0..<10).map { "c\($0)@customers.example" },
            subject: "Forecast")
        let run = H.run(
            inputs, configuration: H.configuration(DetectionConfiguration(allowedExternalDomains: ["partner.example"])))
        #expect(run.found.isEmpty)
    }

    @Test(
        "mail to many colleagues after a risky sign-in is phishing sent from the account: the organisation is phished first"
    )
    func massMailToColleagues() throws {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.mailSent(
            by: Self.alice, id: "internal", at: H.time(3),
            recipients: (0..<40).map { "staff\($0)@\($0 % 2 == 0 ? "contoso.com" : "eu.contoso.com")" },
            subject: "Action required: review the shared document")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        let sent = try #require(run.story(.loginThenPhish, of: Self.alice)?.timeline.last?.event)
        #expect(sent.contains("40 recipients (0 outside the tenant)"), "\(sent)")
    }

    @Test(
        "a sign-in Entra calls low or hidden risk, or a risky sign-in that failed, is not suspicious",
        arguments: [("low", 0), ("hidden", 0), ("high", 50126)])
    func notSuspicious(_ risk: String, _ errorCode: Int) {
        var inputs = EngineInputs()
        inputs.graphSignIn(
            user: Self.alice, id: "s", at: H.time(1), ip: "203.0.113.66", country: "RU", latitude: 55.75,
            longitude: 37.6, risk: risk, errorCode: errorCode)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("an audit-log sign-in (UserLoggedIn, no location or risk) is never judged suspicious on its own")
    func auditSignInIsNotJudged() {
        var inputs = EngineInputs()
        inputs.collected(
            [
                "Operation": "UserLoggedIn", "RecordType": "15", "Workload": "AzureActiveDirectory",
                "ResultStatus": "Success", "UserType": "0", "UserId": .string(Self.alice),
                "ActorIpAddress": "203.0.113.66", "ClientIP": "[2a0d:5600::1]:443",
                "ApplicationId": "00000002-0000-0ff1-ce00-000000000000",
                "ExtendedProperties":
                    "ResultStatusDetail=Success; UserAgent=Mozilla/5.0 (Windows NT 10.0; Win64; x64); RequestType=OAuth2:Authorize",
            ], id: "audit-signin", at: H.time(1), contentType: "Audit.AzureActiveDirectory")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("the user marked at risk by Identity Protection signs in suspiciously, whatever the sign-in's own risk")
    func atRiskUser() throws {
        var inputs = EngineInputs()
        inputs.graphSignIn(
            user: Self.alice, id: "s", at: H.time(1), ip: H.home.ip, country: "US", latitude: 47.6, longitude: -122.3,
            riskState: "atRisk")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(2))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        #expect(run.story(.loginThenPhish, of: Self.alice)?.evidence.first?.matched["reasons"] == "user atRisk")
    }

    // MARK: Travel and bursts

    @Test("a new country with MFA on a managed device after a baseline is the user travelling, not suspicious")
    func travelWithMFAOnAManagedDevice() {
        var inputs = EngineInputs()
        H.baseline(&inputs, user: Self.alice, before: 30)
        inputs.graphSignIn(
            user: Self.alice, id: "paris", at: H.time(30), ip: "192.0.2.80", country: "FR", latitude: 48.85,
            longitude: 2.35, authentication: "multiFactorAuthentication", trustType: "Hybrid Azure AD joined")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(31))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("the same new country, single-factor from an unmanaged device, after a baseline is suspicious")
    func travelSingleFactorUnmanaged() throws {
        var inputs = EngineInputs()
        H.baseline(&inputs, user: Self.alice, before: 30)
        inputs.graphSignIn(
            user: Self.alice, id: "paris", at: H.time(30), ip: "192.0.2.80", country: "FR", latitude: 48.85,
            longitude: 2.35, authentication: "singleFactorAuthentication", trustType: "")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(31))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        let reasons = try #require(run.story(.loginThenPhish, of: Self.alice)?.evidence.first?.matched["reasons"])
        #expect(reasons.contains("first sign-in from FR"))
        #expect(reasons.contains("single-factor sign-in from an unknown device on a new network"))
        #expect(!reasons.contains("impossible travel"))
    }

    @Test("a new country before the user has a baseline is not suspicious")
    func newCountryWithoutBaseline() {
        var inputs = EngineInputs()
        inputs.graphSignIn(
            user: Self.alice, id: "first", at: H.time(1), ip: H.home.ip, country: "US", latitude: 47.6,
            longitude: -122.3)
        inputs.graphSignIn(
            user: Self.alice, id: "paris", at: H.time(30), ip: "192.0.2.80", country: "FR", latitude: 48.85,
            longitude: 2.35, authentication: "singleFactorAuthentication", trustType: "")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(31))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test(
        "a sign-in from Moscow an hour after one from Seattle is impossible travel, even with MFA on a managed device")
    func impossibleTravel() throws {
        var inputs = EngineInputs()
        inputs.graphSignIn(
            user: Self.alice, id: "home", at: H.time(10), ip: H.home.ip, country: "US", latitude: 47.6,
            longitude: -122.3, authentication: "multiFactorAuthentication", trustType: "Azure AD joined")
        inputs.graphSignIn(
            user: Self.alice, id: "moscow", at: H.time(11), ip: "203.0.113.66", country: "RU", latitude: 55.75,
            longitude: 37.6, authentication: "multiFactorAuthentication", trustType: "Azure AD joined")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(12))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com loginThenPhish high"])
        #expect(
            run.story(.loginThenPhish, of: Self.alice)?.evidence.first?.matched["reasons"]?.contains(
                "impossible travel") == true)
    }

    @Test(
        "five wrong passwords then a success is suspicious; four are not, nor five MFA prompts",
        arguments: [(5, 50126, true), (4, 50126, false), (5, 50074, false)])
    func failureBurst(_ failures: Int, _ errorCode: Int, _ fires: Bool) {
        var inputs = EngineInputs()
        for index in 0..<failures {
            inputs.graphSignIn(
                user: Self.alice, id: "fail-\(index)", at: H.time(10 + Double(index) * 0.05), ip: "203.0.113.66",
                country: "US", latitude: 47.6, longitude: -122.3, errorCode: errorCode)
        }
        inputs.graphSignIn(
            user: Self.alice, id: "success", at: H.time(10.4), ip: "203.0.113.66", country: "US", latitude: 47.6,
            longitude: -122.3)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(11))
        #expect(H.run(inputs).found == (fires ? ["alice@contoso.com loginThenPhish high"] : []))
    }

    @Test("a single-factor sign-in from an unmanaged device in the same IPv6 /48 as the baseline is no new network")
    func sameIPv6NetworkIsNotNew() {
        var inputs = EngineInputs()
        for index in 0..<3 {
            inputs.graphSignIn(
                user: Self.alice, id: "base-\(index)", at: H.time(Double(index)), ip: "2a0d::\(index + 1)",
                country: "US", latitude: 47.6, longitude: -122.3, authentication: "singleFactorAuthentication",
                trustType: "")
        }
        inputs.graphSignIn(
            user: Self.alice, id: "again", at: H.time(5), ip: "2a0d::9", country: "US", latitude: 47.6,
            longitude: -122.3, authentication: "singleFactorAuthentication", trustType: "")
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(6))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("a VIP's login-then-phish story is critical")
    func vipIsCritical() {
        var inputs = EngineInputs()
        inputs.userProfile(user: Self.alice, at: H.time(0.5), jobTitle: "Vice President", department: "Finance")
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        inputs.threatSubmission(recipient: Self.alice, reporter: Self.alice, id: "phish", at: H.time(2))
        let run = H.run(
            inputs, configuration: H.configuration(DetectionConfiguration(vipTitleWords: ["vice president"])))
        #expect(run.found == ["alice@contoso.com loginThenPhish critical"])
    }
}
