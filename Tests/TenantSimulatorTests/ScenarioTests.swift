import Events
import Foundation
import InboxwatchTestSupport
import Testing

@testable import TenantSimulator

/// 2026-11-20T00:00:00Z.
private let scenarioStart = Date(timeIntervalSince1970: 1_795_132_800)

private func world(
    _ scenarios: [String], seed: UInt64 = 7, hours: Double = 6, users: Int = 50, rate: Double = 2
) -> SimulatedWorld {
    SimulatedWorld(
        configuration: SimulatorConfiguration(
            seed: seed, scenarios: scenarios, start: scenarioStart, duration: hours * 3600, userCount: users,
            backgroundRate: rate))
}

/// Everything a run renders, in order: document bytes (and malformed text), sign-ins, record ids and delays.
private struct Fingerprint: Equatable {
    var documents: [Data] = []
    var signIns: [SignInEvent] = []
    var records: [String] = []
    var groundTruth: GroundTruth?

    init(_ world: SimulatedWorld) {
        for record in world.timeline.auditRecords {
            switch record.body {
            case .document(let json): documents.append(json.serialized())
            case .signIn(let event, _): signIns.append(event)
            case .malformed(let text): documents.append(Data(text.utf8))
            }
            records.append("\(record.id ?? "-") \(record.publicationDelay) \(record.duplicateDelay ?? -1)")
        }
        groundTruth = world.groundTruth
    }
}

struct ScenarioTests {
    /// The stories each attack may open (detection and criticality), by attack name.
    static let expected: [String: [(detection: Detection, criticality: StoryView.Criticality)]] = [
        "account-takeover": [(.accountTakeover, .critical)],
        "login-then-phish": [(.loginThenPhish, .high)],
        "hiding-rule": [(.hidingRule, .medium)],
        "phish-spray": [(.loginThenPhish, .high)],
        "mailbox-forwarding": [(.externalForwarding, .medium)],
        "outlook-rule": [(.externalForwarding, .high)],
        "defender-alert": [(.defenderAlert, .high)],
        "forwarding-fan-in": [(.externalForwarding, .medium), (.externalForwarding, .high), (.forwardingFanIn, .high)],
        "delegation-takeover": [(.accountTakeover, .critical)],
        "transport-rule-bcc": [(.externalForwarding, .medium)],
    ]

    static func isExpected(_ story: GroundTruth.ExpectedStory) -> Bool {
        expected[story.attack]?.contains { $0 == (story.detection, story.criticality) } ?? false
    }

    @Test func theCatalogHoldsExactlyTheTenAttacksAfterTheBenignBackground() {
        #expect(ScenarioCatalog.all.first?.name == "benign")
        #expect(ScenarioCatalog.all.first?.isAttack == false)
        #expect(Set(ScenarioCatalog.attacks.map(\.name)) == Set(Self.expected.keys))
        #expect(ScenarioCatalog.attacks.allSatisfy { $0.isAttack })
        for name in Self.expected.keys { #expect(ScenarioCatalog.named(name) != nil) }
    }

    @Test(arguments: ScenarioCatalog.attacks.map(\.name))
    func eachAttackExpectsItsStoryAboutUsersThatExist(name: String) throws {
        let world = world([name])
        #expect(Self.expected[name] != nil)
        let upns = Set(world.directory.users.map { $0.userPrincipalName.lowercased() })
        let stories = world.groundTruth.expectedStories
        #expect(!stories.isEmpty)
        for story in stories {
            #expect(story.attack == name)
            #expect(Self.isExpected(story), "\(story.detection) \(story.criticality)")
            #expect(upns.contains(story.user))
            #expect(!story.evidence.isEmpty)
            #expect(!story.explanation.isEmpty)
            let user = try #require(world.directory.user(id: story.user))
            #expect(!user.isVIP && !user.isProtected)
        }
        // Exactly once per (user, detection).
        let keys = stories.map { "\($0.user)/\($0.detection.rawValue)" }
        #expect(Set(keys).count == keys.count)
        for lookAlike in world.groundTruth.benignLookAlikes {
            #expect(upns.contains(lookAlike.user))
            #expect(!keys.contains("\(lookAlike.user)/\(lookAlike.resembles.rawValue)"))
        }
    }

    @Test func accountTakeoverIsOneCriticalStoryAndNoLoginThenPhish() {
        let stories = world(["account-takeover"]).groundTruth.expectedStories
        #expect(stories.count == 1)
        #expect(stories.first?.detection == .accountTakeover)
        #expect(stories.first?.criticality == .critical)
        #expect(stories.first?.explanation.contains("not a login-then-phish") == true)
    }

    @Test func hidingRuleHasOneStoryPerVictimAndOneRuleNamedOnlyWithPunctuation() {
        let world = world(["hiding-rule"])
        #expect(world.groundTruth.expectedStories.count == 2)
        #expect(Set(world.groundTruth.expectedStories.map(\.user)).count == 2)
        #expect(world.timeline.rules.contains { $0.displayName == "..." && $0.origin == .outlookClient })
        #expect(world.timeline.rules.contains { $0.actions.moveToFolder == "rssfeeds" && $0.actions.markAsRead })
    }

    @Test func phishSprayReachesAtLeast25RecipientsInsideAndOutsideTheTenant() throws {
        let world = world(["phish-spray"])
        let sender = try #require(world.groundTruth.expectedStories.first?.user)
        let sent = try #require(
            world.timeline.messages.first {
                $0.folder == "sentitems" && $0.verdict == .phish && $0.from.address.lowercased() == sender
            })
        #expect(sent.toRecipients.count >= 25)
        #expect(sent.toRecipients.contains { world.directory.isInternal(address: $0.address) })
        #expect(sent.toRecipients.contains { !world.directory.isInternal(address: $0.address) })
    }

    @Test func allAttacksTogetherTellEachStoryAboutADifferentUser() {
        let world = world(ScenarioCatalog.attacks.map(\.name))
        let stories = world.groundTruth.expectedStories
        #expect(Set(stories.map(\.attack)) == Set(Self.expected.keys))
        var owner: [String: String] = [:]
        for story in stories {
            if let other = owner[story.user] { #expect(other == story.attack, "\(story.user) is in two attacks") }
            owner[story.user] = story.attack
            #expect(Self.isExpected(story), "\(story.attack): \(story.detection) \(story.criticality)")
        }
    }

    @Test func everyEventOfEveryScenarioHappensInsideTheRunsSpan() {
        let world = world(ScenarioCatalog.attacks.map(\.name))
        let end = scenarioStart.addingTimeInterval(6 * 3600)
        for record in world.timeline.auditRecords {
            #expect(record.creationTime >= scenarioStart && record.creationTime <= end)
        }
        for event in world.timeline.signIns { #expect(event.time >= scenarioStart && event.time <= end) }
    }

    @Test func theSameSeedGivesAByteIdenticalTimeline() {
        let names = ScenarioCatalog.attacks.map(\.name)
        let first = Fingerprint(world(names, seed: 42))
        let second = Fingerprint(world(names, seed: 42))
        #expect(!first.documents.isEmpty && !first.signIns.isEmpty)
        #expect(first == second)
    }

    @Test func aDifferentSeedGivesADifferentTimeline() {
        let names = ScenarioCatalog.attacks.map(\.name)
        let first = Fingerprint(world(names, seed: 42))
        let other = Fingerprint(world(names, seed: 43))
        #expect(first.documents != other.documents)
        #expect(first.signIns != other.signIns)
    }

    @Test func theBenignBackgroundAloneExpectsNoStoryButPlantsLookAlikes() {
        let world = world([], hours: 24, users: 100)
        #expect(world.groundTruth.expectedStories.isEmpty)
        let kinds = Set(world.groundTruth.benignLookAlikes.map(\.kind))
        #expect(
            kinds
                == [
                    "newsletter-rule", "mark-read-rule", "internal-forwarding-rule", "subdomain-forwarding-rule",
                    "internal-mailbox-forwarding", "system-cmdlet", "travel", "blocked-phish",
                ])
    }

    @Test func theBackgroundSkipsTravelWhenTheRunIsTooShortForAFlight() {
        let world = world([], hours: 6, users: 100)
        #expect(!world.groundTruth.benignLookAlikes.isEmpty)
        #expect(!world.groundTruth.benignLookAlikes.contains { $0.kind == "travel" })
    }

    /// 500 users over a day at 9 events per user per hour: 108,000 events, each at
    /// least one audit record.
    @Test func theBackgroundOf500UsersOverADayMakesAtLeast100kRecords() async {
        let start = scenarioStart
        let world = await OwnThread.run {
            SimulatedWorld(
                configuration: SimulatorConfiguration(
                    seed: 11, scenarios: [], start: start, duration: 24 * 3600, userCount: 500,
                    backgroundRate: 9))
        }
        #expect(world.timeline.auditRecords.count >= 100_000)
        #expect(Set(world.timeline.signIns.map(\.userId)).count >= 500)
    }
}
