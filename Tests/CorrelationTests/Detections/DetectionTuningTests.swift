import Events
import Foundation
import Testing

@testable import Correlation

/// The `--detection-tuning` file (``DetectionTuning``) and what it does to the detections:
/// allowlists and suppressions keep findings from becoming stories, never silently (each is an
/// output with its reason, and counted); per-tenant tuning touches its tenant only.
@Suite("Detection tuning")
struct DetectionTuningTests {
    typealias H = DetectionHarness
    static let alice = H.alice
    static let fabrikam = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"

    static func tuning(_ json: String) throws -> DetectionTuning {
        try DetectionTuning(json: Array(json.utf8))
    }

    /// The problems `json` is refused with; empty when it is accepted.
    static func problems(_ json: String) -> [String] {
        do {
            _ = try DetectionTuning(json: Array(json.utf8))
            return []
        } catch {
            return error.problems
        }
    }

    /// The engine configured with a tuning file's defaults and tenants, fabrikam.com known too.
    static func configuration(_ tuning: DetectionTuning) -> CorrelatorConfiguration {
        H.configuration(
            tuning.defaults, tenantDetection: tuning.tenants,
            otherTenants: [Self.fabrikam: TenantContext(acceptedDomains: ["fabrikam.com"])])
    }

    // MARK: Allowlists

    @Test(
        "forwarding to an allowlisted domain (or its subdomain) opens no story: the finding is reported suppressed, with why, and counted"
    )
    func allowlistedDomain() throws {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd-a", at: 1, to: "SMTP:Archive@Partner.example")
        H.forwardingRule(&inputs, user: H.bob, id: "fwd-b", at: 2, to: "ap@eu.partner.example")
        let run = H.run(
            inputs, configuration: H.configuration(DetectionConfiguration(allowedExternalDomains: ["Partner.Example"])))
        #expect(run.found.isEmpty)
        #expect(run.suppressed.count == 2)
        #expect(run.engine.counters.suppressed == 2)
        let first = try #require(run.suppressed.first)
        #expect(first.user == Self.alice)
        #expect(first.detection == .externalForwarding)
        #expect(first.recordId == EventID.raw("fwd-a"))
        #expect(first.time == H.time(1))
        #expect(first.reason.contains("allowlisted") && first.reason.contains("archive@partner.example"))
    }

    @Test("an allowlisted address covers that address only")
    func allowlistedAddress() {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd-a", at: 1, to: "archive@partner.example")
        H.forwardingRule(&inputs, user: H.bob, id: "fwd-b", at: 2, to: "other@partner.example")
        let run = H.run(
            inputs,
            configuration: H.configuration(
                DetectionConfiguration(allowedExternalAddresses: ["Archive@Partner.example"])))
        #expect(run.found == ["bob@contoso.com externalForwarding medium"])
        #expect(run.suppressed.map(\.user) == [Self.alice])
    }

    @Test("a rule that forwards to an allowlisted partner and to an outsider still opens its story")
    func partlyAllowlisted() {
        var inputs = EngineInputs()
        H.forwardingRule(
            &inputs, user: Self.alice, id: "fwd", at: 1, to: "archive@partner.example;drop@evil.example")
        let run = H.run(
            inputs, configuration: H.configuration(DetectionConfiguration(allowedExternalDomains: ["partner.example"])))
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        #expect(run.suppressed.isEmpty)
    }

    @Test("an allowlisted partner does not hide an account takeover")
    func allowlistDoesNotHideTakeover() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack", at: 1)
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 2, to: "archive@partner.example")
        let run = H.run(
            inputs, configuration: H.configuration(DetectionConfiguration(allowedExternalDomains: ["partner.example"])))
        #expect(run.found == ["alice@contoso.com accountTakeover critical"])
        #expect(run.suppressed.isEmpty)
    }

    @Test("three mailboxes forwarding to an allowlisted partner: forwarding and fan-in findings are all suppressed")
    func allowlistedFanIn() {
        let run = H.run(
            ForwardingFanInTests.fanIn(ForwardingFanInTests.three, to: "archive@partner.example"),
            configuration: H.configuration(DetectionConfiguration(allowedExternalDomains: ["partner.example"])),
            partitions: [0, 1, 2])
        #expect(run.found.isEmpty)
        #expect(run.suppressed.filter { $0.detection == .externalForwarding }.count == 3)
        #expect(
            Set(run.suppressed.filter { $0.detection == .forwardingFanIn }.map(\.user)) == [H.alice, H.bob, H.carol])
        #expect(run.engine.counters.suppressed == run.suppressed.count)
    }

    // MARK: Suppressions

    @Test("a suppression with a reason and an expiry suppresses before its expiry and not after, in event time")
    func suppressionExpiresInEventTime() throws {
        let tuning = try Self.tuning(
            """
            {"defaults": {"suppressions": [{"detection": "hidingRule", "user": "Alice@Contoso.com",
              "reason": "INC-1234: her own newsletter rule", "expires": "\(EngineInputs.graphTime(H.time(10)))"}]}}
            """)
        var inputs = EngineInputs()
        for (id, hours) in [("before", 5.0), ("after", 12.0)] {
            inputs.cmdlet(
                "New-InboxRule", [("Name", id), ("SubjectContainsWords", "invoice"), ("DeleteMessage", "True")],
                by: Self.alice, id: id, at: H.time(hours))
        }
        // Another user's rule before the expiry is not covered.
        inputs.cmdlet(
            "New-InboxRule", [("Name", "b"), ("SubjectContainsWords", "invoice"), ("DeleteMessage", "True")],
            by: H.bob, id: "bob", at: H.time(5))
        let run = H.run(inputs, configuration: Self.configuration(tuning))
        #expect(run.found == ["alice@contoso.com hidingRule medium", "bob@contoso.com hidingRule medium"])
        let suppressed = try #require(run.suppressed.first)
        #expect(run.suppressed.count == 1)
        #expect(suppressed.recordId == EventID.raw("before"))
        #expect(suppressed.reason.contains("INC-1234: her own newsletter rule"))
        #expect(suppressed.reason.contains("2026-11-20T10:00:00Z"))
        #expect(run.story(.hidingRule, of: Self.alice)?.references.map(\.recordId) == [EventID.raw("after")])
        #expect(run.engine.counters.suppressed == 1)
    }

    @Test("a suppression by recipient domain, or by everyone of a user domain, covers what it names and nothing else")
    func suppressionByRecipientAndDomain() {
        let suppressions = [
            Suppression(recipient: "Evil.example", reason: "CHG-7: vendor test", expires: H.time(100)),
            Suppression(detection: .hidingRule, user: "*@Contoso.com", reason: "CHG-8: rollout", expires: H.time(100)),
        ]
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd-1", at: 1, to: "drop@mail.evil.example")
        H.forwardingRule(&inputs, user: H.bob, id: "fwd-2", at: 1, to: "drop@notevil.example")
        inputs.cmdlet(
            "New-InboxRule", [("Name", "x"), ("SubjectContainsWords", "invoice"), ("DeleteMessage", "True")],
            by: H.carol, id: "hide", at: H.time(2))
        let run = H.run(inputs, configuration: H.configuration(DetectionConfiguration(suppressions: suppressions)))
        #expect(run.found == ["bob@contoso.com externalForwarding medium"])
        #expect(run.suppressed.map(\.user).sorted() == [Self.alice, H.carol])
        #expect(run.suppressed.first { $0.user == Self.alice }?.reason.hasSuffix("CHG-7: vendor test") == true)
        #expect(run.suppressed.first { $0.user == H.carol }?.reason.hasSuffix("CHG-8: rollout") == true)
    }

    // MARK: Per tenant

    @Test("a per-tenant override applies to that tenant only, and keeps the defaults it does not replace")
    func perTenantOverride() throws {
        let tuning = try Self.tuning(
            """
            {"defaults": {"hidingKeywords": ["crypto"]},
             "tenants": {"\(Self.fabrikam.uppercased())": {"allowedExternalDomains": ["partner.example"]}}}
            """)
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "contoso-fwd", at: 1, to: "archive@partner.example")
        inputs.cmdlet(
            "New-InboxRule", [("Name", "f"), ("ForwardTo", "archive@partner.example")], by: "erin@fabrikam.com",
            id: "fabrikam-fwd", at: H.time(1), tenant: Self.fabrikam)
        inputs.cmdlet(
            "New-InboxRule", [("Name", "w"), ("SubjectContainsWords", "crypto wallet"), ("DeleteMessage", "True")],
            by: "erin@fabrikam.com", id: "fabrikam-hide", at: H.time(2), tenant: Self.fabrikam)
        let run = H.run(inputs, configuration: Self.configuration(tuning))
        #expect(
            run.finalStories.values.map { "\($0.tenantId) \($0.user) \($0.detection)" }.sorted() == [
                "\(Self.fabrikam) erin@fabrikam.com hidingRule", "\(H.tenant) alice@contoso.com externalForwarding",
            ])
        #expect(run.suppressed.map(\.tenantId) == [Self.fabrikam])
    }

    @Test("tuned thresholds and windows change what fires: mass deletion of 10 items, a 2-hour takeover window")
    func tunedThresholds() {
        var inputs = EngineInputs()
        H.riskySignIn(&inputs, user: Self.alice, id: "attack-a", at: 1)
        inputs.deletion("SoftDelete", by: Self.alice, id: "purge", at: H.time(1.5), affectedItems: 10)
        H.riskySignIn(&inputs, user: H.bob, id: "attack-b", at: 1)
        H.forwardingRule(&inputs, user: H.bob, id: "fwd", at: 4, to: "drop@evil.example")
        let tuned = DetectionConfiguration(
            takeoverWindow: .seconds(2 * 3600), massDeletionItems: 10, massDeletionWindow: .seconds(600))
        #expect(
            H.run(inputs, configuration: H.configuration(tuned)).found == [
                "alice@contoso.com accountTakeover critical", "bob@contoso.com externalForwarding medium",
            ])
    }

    // MARK: The file

    @Test("a full tuning file with every key is accepted and read as written")
    func acceptsAFullFile() throws {
        let json = """
            {"defaults": {
               "loginThenPhishWindow": "12h", "takeoverWindow": "2d", "massMailRecipients": 40,
               "failureBurstCount": 8, "failureBurstWindow": "45m", "impossibleTravelKilometresPerHour": 1000.5,
               "impossibleTravelMinimumKilometres": 0, "baselineSignIns": 5, "massDeletionItems": 100,
               "massDeletionWindow": 1800, "fanInMailboxes": 4, "fanInWindow": "14d",
               "allowedExternalDomains": ["Partner.Example"], "allowedExternalAddresses": ["Archive@Vendor.Example"],
               "vipUsers": ["CEO@contoso.com"], "vipTitleWords": ["chief", "managing partner"],
               "hidingKeywords": ["invoice", "crypto"],
               "suppressions": [
                 {"detection": "hidingRule", "user": "Alice@Contoso.com", "reason": "INC-1234: her newsletter rule",
                  "expires": "2027-01-31T00:00:00Z"},
                 {"recipient": "legal-hold.example", "reason": "CHG-77: e-discovery vendor",
                  "expires": "2026-12-01T00:00:00Z"}]},
             "tenants": {"\(H.tenant.uppercased())": {"fanInMailboxes": 2, "vipUsers": ["cfo@contoso.com"],
                                                      "failureBurstWindow": "90s"}}}
            """
        let tuning = try Self.tuning(json)
        let defaults = tuning.defaults
        #expect(defaults.loginThenPhishWindow == .seconds(12 * 3600))
        #expect(defaults.takeoverWindow == .seconds(2 * 86400))
        #expect(defaults.failureBurstWindow == .seconds(45 * 60))
        #expect(defaults.massDeletionWindow == .seconds(1800))
        #expect(defaults.fanInWindow == .seconds(14 * 86400))
        #expect(defaults.massMailRecipients == 40 && defaults.failureBurstCount == 8 && defaults.baselineSignIns == 5)
        #expect(defaults.massDeletionItems == 100 && defaults.fanInMailboxes == 4)
        #expect(defaults.impossibleTravelKilometresPerHour == 1000.5 && defaults.impossibleTravelMinimumKilometres == 0)
        #expect(defaults.allowedExternalDomains == ["partner.example"])
        #expect(defaults.allowedExternalAddresses == ["archive@vendor.example"])
        #expect(defaults.vipUsers == ["ceo@contoso.com"])
        #expect(defaults.vipTitleWords == ["chief", "managing partner"])
        #expect(defaults.hidingKeywords == ["invoice", "crypto"])
        #expect(defaults.suppressions.count == 2)
        #expect(defaults.suppressions.first?.detection == .hidingRule)
        #expect(defaults.suppressions.first?.user == "alice@contoso.com")
        #expect(defaults.suppressions.last?.recipient == "legal-hold.example")
        let tenant = try #require(tuning.tenants[H.tenant])
        #expect(tenant.fanInMailboxes == 2 && tenant.vipUsers == ["cfo@contoso.com"])
        #expect(tenant.failureBurstWindow == .seconds(90))
        #expect(tenant.massDeletionItems == 100 && tenant.allowedExternalDomains == ["partner.example"])
        #expect(tuning.expiredSuppressions(at: H.time(24 * 30)).contains("defaults: \"CHG-77: e-discovery vendor\""))
        // The test names every key the file may hold.
        let root = try BoundedJSONDecoder().decode(JSONValue.self, from: Array(json.utf8))
        guard case .object(let members)? = root["defaults"] else {
            Issue.record("no defaults")
            return
        }
        #expect(Set(members.keys) == Set(DetectionTuning.keys.keys))
    }

    @Test("an empty file is the shipped tuning")
    func emptyFile() throws {
        let tuning = try Self.tuning("{}")
        #expect(tuning.defaults == DetectionConfiguration())
        #expect(tuning.tenants.isEmpty)
    }

    /// A file that must be refused, and a piece of the message that says what to fix.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var json: String
        var says: String
        /// How many problems the file has; nil when not the point.
        var count: Int? = 1
        var testDescription: String { json }
    }

    @Test(
        "a file with a mistake is refused, the problem named with where it is and what to write instead",
        arguments: [
            Refusal(
                json: #"{"default": {}}"#,
                says: #"unknown key "default" at the top (expected "defaults" and "tenants")"#),
            Refusal(json: #"{"defaults": {"fanInMailbox": 3}}"#, says: "defaults.fanInMailbox: unknown key (known: "),
            Refusal(
                json: #"{"tenants": {"t1": {"vipUser": ["a@b.example"]}}}"#, says: "tenants.t1.vipUser: unknown key"),
            Refusal(
                json:
                    #"{"defaults": {"suppressions": [{"detection": "hidingRule", "expires": "2027-01-31T00:00:00Z"}]}}"#,
                says: "defaults.suppressions[0].reason: say why"),
            Refusal(
                json:
                    #"{"defaults": {"suppressions": [{"detection": "hidingRule", "reason": "  ", "expires": "2027-01-31T00:00:00Z"}]}}"#,
                says: "defaults.suppressions[0].reason: say why"),
            Refusal(
                json: #"{"defaults": {"suppressions": [{"detection": "hidingRule", "reason": "INC-1"}]}}"#,
                says:
                    "defaults.suppressions[0].expires: expected a time such as \"2027-01-31T00:00:00Z\"; a suppression must end"
            ),
            Refusal(
                json:
                    #"{"defaults": {"suppressions": [{"user": "a@contoso.com", "reason": "INC-1", "expires": "next week"}]}}"#,
                says: "defaults.suppressions[0].expires: expected a time"),
            Refusal(
                json: #"{"defaults": {"suppressions": [{"reason": "INC-1", "expires": "2027-01-31T00:00:00Z"}]}}"#,
                says: "defaults.suppressions[0]: name what it suppresses: a detection, a user or a recipient"),
            Refusal(
                json:
                    #"{"tenants": {"t1": {"suppressions": [{"detection": "forwarding", "reason": "INC-1", "expires": "2027-01-31T00:00:00Z"}]}}}"#,
                says: "tenants.t1.suppressions[0].detection: expected one of externalForwarding, hidingRule",
                count: nil),
            Refusal(
                json:
                    #"{"defaults": {"suppressions": [{"detection": "hidingRule", "until": "2027-01-31T00:00:00Z", "reason": "INC-1", "expires": "2027-01-31T00:00:00Z"}]}}"#,
                says: "defaults.suppressions[0].until: unknown key (known: detection, user, recipient, reason, expires)"
            ),
            Refusal(
                json:
                    #"{"defaults": {"suppressions": [{"detection": "hidingRule", "user": 42, "reason": "INC-1", "expires": "2027-01-31T00:00:00Z"}]}}"#,
                says: "defaults.suppressions[0].user: expected a user principal name"),
            Refusal(
                json: #"{"defaults": {"suppressions": {"user": "a@b.example"}}}"#,
                says: "defaults.suppressions: expected a list of suppressions"),
            Refusal(
                json: #"{"defaults": {"takeoverWindow": "24x"}}"#,
                says:
                    "defaults.takeoverWindow: expected a duration longer than zero, such as \"30m\", \"24h\" or \"7d\""),
            Refusal(
                json: #"{"defaults": {"takeoverWindow": "0"}}"#,
                says: "defaults.takeoverWindow: expected a duration longer than zero"),
            Refusal(
                json: #"{"defaults": {"takeoverWindow": "-1h"}}"#,
                says: "defaults.takeoverWindow: expected a duration longer than zero"),
            Refusal(
                json: #"{"defaults": {"takeoverWindow": "1 week"}}"#,
                says: "defaults.takeoverWindow: expected a duration longer than zero"),
            Refusal(
                json: #"{"defaults": {"loginThenPhishWindow": true}}"#,
                says: "defaults.loginThenPhishWindow: expected a duration longer than zero"),
            Refusal(json: #"{"defaults": {"takeoverWindow": "30d"}}"#, says: "defaults.takeoverWindow: at most 7 days"),
            Refusal(json: #"{"defaults": {"fanInWindow": 1e300}}"#, says: "defaults.fanInWindow: at most 30 days"),
            Refusal(
                json: #"{"defaults": {"fanInMailboxes": 1}}"#,
                says: "defaults.fanInMailboxes: expected a whole number of at least 2"),
            Refusal(
                json: #"{"defaults": {"fanInMailboxes": 2.5}}"#,
                says: "defaults.fanInMailboxes: expected a whole number of at least 2"),
            Refusal(
                json: #"{"defaults": {"massDeletionItems": "50"}}"#,
                says: "defaults.massDeletionItems: expected a whole number of at least 1"),
            Refusal(
                json: #"{"defaults": {"impossibleTravelMinimumKilometres": -0.5}}"#,
                says: "defaults.impossibleTravelMinimumKilometres: expected a number of at least 0"),
            Refusal(
                json: #"{"defaults": {"allowedExternalDomains": ["partner"]}}"#,
                says: "defaults.allowedExternalDomains[0]: expected a domain such as partner.example"),
            Refusal(
                json: #"{"defaults": {"allowedExternalDomains": ["a@partner.example"]}}"#,
                says: "defaults.allowedExternalDomains[0]: expected a domain"),
            Refusal(
                json: #"{"defaults": {"allowedExternalAddresses": ["partner.example"]}}"#,
                says: "defaults.allowedExternalAddresses[0]: expected an address"),
            Refusal(
                json: #"{"defaults": {"vipUsers": ["ceo"]}}"#,
                says: "defaults.vipUsers[0]: expected a user principal name"),
            Refusal(
                json: #"{"defaults": {"hidingKeywords": "invoice"}}"#,
                says: "defaults.hidingKeywords: expected a list of strings"),
            Refusal(json: #"{"defaults": []}"#, says: "defaults: expected an object of tuning keys"),
            Refusal(json: #"{"tenants": []}"#, says: "tenants: expected an object by tenant id"),
            Refusal(json: #"[]"#, says: #"expected an object with "defaults" and "tenants""#),
            Refusal(json: #"{"defaults": "#, says: "not JSON"),
        ])
    func refusesMistakes(_ refusal: Refusal) {
        let problems = Self.problems(refusal.json)
        if let count = refusal.count { #expect(problems.count == count, "\(problems)") }
        #expect(problems.contains { $0.contains(refusal.says) }, "\(problems)")
    }

    @Test("every problem of a file is named at once, not only the first")
    func everyProblemAtOnce() {
        let problems = Self.problems(
            """
            {"defaults": {"fanInMailboxes": 1, "takeoverWindow": "soon",
                          "suppressions": [{"detection": "hidingRule", "expires": "2027-01-31T00:00:00Z"}]},
             "extra": true}
            """)
        #expect(problems.count == 4, "\(problems)")
        for piece in [
            "\"extra\"", "defaults.fanInMailboxes", "defaults.takeoverWindow", "defaults.suppressions[0].reason",
        ] {
            #expect(problems.contains { $0.contains(piece) }, "\(piece) in \(problems)")
        }
    }

    @Test("a tuning file that cannot be read, or has a mistake, is refused naming the file")
    func fileErrorsNameTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "inboxwatch-tuning-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.json").path
        #expect(throws: DetectionTuningError.self) { try DetectionTuning(file: missing) }
        do {
            _ = try DetectionTuning(file: missing)
        } catch {
            #expect(error.problems.first?.contains("cannot read \(missing)") == true)
        }
        let wrong = directory.appendingPathComponent("tuning.json")
        try Data(#"{"defaults": {"fanInMailboxes": 0}}"#.utf8).write(to: wrong)
        do {
            _ = try DetectionTuning(file: wrong.path)
            Issue.record("a file with a mistake was accepted")
        } catch {
            #expect(error.problems == ["\(wrong.path): defaults.fanInMailboxes: expected a whole number of at least 2"])
        }
    }
}
