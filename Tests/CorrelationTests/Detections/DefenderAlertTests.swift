import Events
import Foundation
import Testing

@testable import Correlation

/// `defenderAlert`: an alert from Defender for Office 365 keeps Microsoft's title and severity
/// (informational and low → low) and joins the user's open story when there is one.
@Suite("Detection: Defender alert")
struct DefenderAlertTests {
    typealias H = DetectionHarness
    static let alice = H.alice

    @Test(
        "a Graph alert keeps Microsoft's severity: informational and low are low, unknown or missing are medium",
        arguments: [
            ("high", "high"), ("High", "high"), ("medium", "medium"), ("low", "low"), ("informational", "low"),
            ("unknown", "medium"), (nil, "medium"),
        ] as [(String?, String)])
    func severityMapping(_ severity: String?, _ expected: String) throws {
        var inputs = EngineInputs()
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(1), severity: severity)
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com defenderAlert \(expected)"])
        let story = try #require(run.story(.defenderAlert, of: Self.alice))
        #expect(story.title == "Email messages containing malicious URL removed after delivery")
        #expect(story.evidence.first?.matched["detectionSource"] == "microsoftDefenderForOffice365")
        #expect(story.entities.messageIds.contains("<alert-alert@contoso-invoices.example>"))
    }

    @Test("an alert joins the story the user already has open instead of opening its own")
    func joinsTheOpenStory() throws {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(2), severity: "low")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding medium"])
        let story = try #require(run.story(.externalForwarding, of: Self.alice))
        #expect(Set(story.evidence.map(\.detection)) == ["externalForwarding", "defenderAlert"])
        #expect(story.timeline.count == 2)
        #expect(run.stories.map(\.kind) == [.opened, .evidenceAdded])
    }

    @Test("a high alert joining a medium story raises it")
    func highAlertRaisesTheOpenStory() {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(2), severity: "high")
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com externalForwarding high"])
        #expect(run.stories.map(\.kind) == [.opened, .severityRaised])
    }

    @Test(
        "an alert about another user, or after the user's story went quiet for longer than the story window, opens its own story"
    )
    func opensItsOwnStory() {
        var inputs = EngineInputs()
        H.forwardingRule(&inputs, user: Self.alice, id: "fwd", at: 1, to: "drop@evil.example")
        inputs.graphAlert(about: H.bob, id: "alert-bob", at: H.time(2), severity: "medium")
        inputs.graphAlert(about: Self.alice, id: "alert-late", at: H.time(1 + 8 * 24), severity: "medium")
        let run = H.run(inputs)
        #expect(
            run.found == [
                "alice@contoso.com defenderAlert medium", "alice@contoso.com externalForwarding medium",
                "bob@contoso.com defenderAlert medium",
            ])
    }

    @Test("an alert updated to a higher severity raises its story rather than opening another")
    func updatedAlertRaisesItsStory() throws {
        var inputs = EngineInputs()
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(1), severity: "medium")
        inputs.graphAlert(
            about: Self.alice, id: "alert", at: H.time(1), severity: "high", change: .updated, updated: H.time(3))
        let run = H.run(inputs)
        #expect(run.found == ["alice@contoso.com defenderAlert high"])
        #expect(run.stories.map(\.kind) == [.opened, .severityRaised])
    }

    @Test("the same alert delivered twice tells its story once")
    func duplicateAlert() {
        var inputs = EngineInputs()
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(1), severity: "medium")
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(1), severity: "medium")
        let run = H.run(inputs)
        #expect(run.stories.count == 1)
        #expect(run.engine.counters.duplicates == 1)
    }

    @Test("a VIP's alert is one level higher, by configured name or by job title", arguments: [true, false])
    func vipAlert(_ byName: Bool) {
        var inputs = EngineInputs()
        if !byName { inputs.userProfile(user: Self.alice, at: H.time(0.5), jobTitle: "President") }
        inputs.graphAlert(about: Self.alice, id: "alert", at: H.time(1), severity: "informational")
        let configuration = H.configuration(DetectionConfiguration(vipUsers: byName ? [Self.alice] : []))
        #expect(H.run(inputs, configuration: configuration).found == ["alice@contoso.com defenderAlert medium"])
    }

    @Test(
        "an audit AlertTriggered, filed by the collector under its system actor, tells no story of its own: its Graph copy names the user"
    )
    func auditAlertUnderTheSystemActor() {
        var inputs = EngineInputs()
        inputs.complianceAlert(
            name: "Suspicious email sending patterns detected", severity: "High", about: Self.alice, id: "audit-alert",
            at: H.time(1))
        let run = H.run(inputs)
        #expect(run.found.isEmpty)
        #expect(run.deadLetters.isEmpty)
    }

    @Test(
        "a user's report (\"Email reported by user as malware or phish\") is no Defender alert, in Graph or in the audit log"
    )
    func reportsAreNotAlerts() {
        var inputs = EngineInputs()
        inputs.graphAlert(
            about: Self.alice, id: "graph-report", at: H.time(1), title: "Email reported by user as malware or phish",
            severity: "informational")
        inputs.graphAlert(
            about: H.bob, id: "graph-not-junk", at: H.time(1), title: "Email reported by user as not junk",
            severity: "informational")
        inputs.complianceAlert(
            name: "Email reported by user as malware or phish", severity: "Informational", about: Self.alice,
            id: "audit-report", at: H.time(2))
        #expect(H.run(inputs).found.isEmpty)
    }

    @Test("an alert that names nobody opens no story")
    func unattributedAlert() {
        var inputs = EngineInputs()
        inputs.graphResource(
            .alert,
            [
                "title": "A potentially malicious URL click was detected", "severity": "high",
                "createdDateTime": .string(EngineInputs.graphTime(H.time(1))), "evidence": [],
            ], keyedBy: nil, id: "nobody", collectedAt: H.time(1.1))
        #expect(H.run(inputs).found.isEmpty)
    }
}
