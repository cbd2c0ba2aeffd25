import Events
import Foundation
import Testing

@testable import TenantSimulator

/// 2026-11-20T00:00:00Z.
private let fanInStart = Date(timeIntervalSince1970: 1_795_132_800)

private func world(_ scenarios: [String], seed: UInt64 = 7, hours: Double = 6, users: Int = 50) -> SimulatedWorld {
    SimulatedWorld(
        configuration: SimulatorConfiguration(
            seed: seed, scenarios: scenarios, start: fanInStart, duration: hours * 3600, userCount: users,
            backgroundRate: 2))
}

struct ForwardingFanInScenarioTests {
    @Test func threeMailboxesForwardToOneExternalAddressEachWithItsOwnStoryAndAFanInStory() throws {
        let world = world(["forwarding-fan-in"])
        let tenant = RenderedTenant(world)
        let stories = world.groundTruth.expectedStories
        let forwarding = stories.filter { $0.detection == .externalForwarding }
        let fanIn = stories.filter { $0.detection == .forwardingFanIn }
        #expect(stories.count == 6)
        #expect(forwarding.map(\.criticality) == [.medium, .high, .medium])
        #expect(fanIn.count == 3 && fanIn.allSatisfy { $0.criticality == .high })
        #expect(Set(fanIn.map(\.user)) == Set(forwarding.map(\.user)))
        #expect(Set(forwarding.map(\.user)).count == 3)

        // One record per victim, each its own way, all to the same address outside the tenant.
        var operations: [String] = []
        var addresses: Set<String> = []
        for story in forwarding {
            let document = try #require(tenant.documents[story.evidence[0]])
            let forwarding = tenant.forwarding(document.json)
            let view = try #require(forwarding)
            operations.append(view.operation)
            addresses.formUnion(view.recipients.map { $0.lowercased() })
        }
        #expect(operations == ["New-InboxRule", "Set-Mailbox", "UpdateInboxRules"])
        #expect(addresses.count == 1)
        let drop = try #require(addresses.first)
        #expect(!world.directory.isInternal(address: drop))
        let fanIns = tenant.fanIns()
        #expect(fanIns == [drop: Set(forwarding.map(\.user))])

        // Each fan-in story rests on all three forwardings, its own first.
        for story in fanIn {
            let own = try #require(forwarding.first { $0.user == story.user })
            #expect(Array(story.evidence.prefix(own.evidence.count)) == own.evidence)
            #expect(Set(story.evidence) == Set(forwarding.flatMap(\.evidence)))
        }

        // No suspicious sign-in: every victim signs in only from home, with MFA on a managed device.
        for user in forwarding.map(\.user) {
            let signIns = tenant.signInsByUser[user] ?? []
            #expect(!signIns.isEmpty)
            let suspicious = signIns.filter(tenant.isSuspicious)
            #expect(suspicious.isEmpty, "\(user)")
            #expect(signIns.allSatisfy { $0.authenticationRequirement == "multiFactorAuthentication" })
        }
    }

    @Test func theFanInHappensWithinHoursOfEachOtherEvenInAShortRun() throws {
        for hours in [6.0, 1] {
            let world = world(["forwarding-fan-in"], hours: hours)
            let tenant = RenderedTenant(world)
            let forwarding = world.groundTruth.expectedStories.filter { $0.detection == .externalForwarding }
            let documents = tenant.documents
            let times = try forwarding.map { try #require(documents[$0.evidence[0]]).time }
            let spread = try #require(times.max()).timeIntervalSince(try #require(times.min()))
            #expect(spread > 0 && spread <= 4 * 3600, "\(spread / 3600) h apart in a \(hours) h run")
            #expect(times.allSatisfy { $0 >= fanInStart && $0 <= fanInStart.addingTimeInterval(hours * 3600) })
            #expect(world.groundTruth.expectedStories.filter { $0.detection == .forwardingFanIn }.count == 3)
        }
    }

    @Test func theLookAlikeMailboxesForwardToOneSharedAddressInsideTheTenant() throws {
        let world = world(["forwarding-fan-in"])
        let tenant = RenderedTenant(world)
        let lookAlikes = world.groundTruth.benignLookAlikes.filter { $0.resembles == .forwardingFanIn }
        #expect(lookAlikes.count == 3)
        #expect(lookAlikes.allSatisfy { $0.kind == "internal-fan-in" })
        #expect(Set(lookAlikes.map(\.user)).count == 3)
        let named = Set(world.groundTruth.expectedStories.map(\.user))
        #expect(named.isDisjoint(with: lookAlikes.map(\.user)))
        var addresses: Set<String> = []
        var operations: Set<String> = []
        for lookAlike in lookAlikes {
            let document = try #require(tenant.documents[lookAlike.evidence[0]])
            let forwarding = tenant.forwarding(document.json)
            let view = try #require(forwarding)
            operations.insert(view.operation)
            addresses.formUnion(view.recipients.map { $0.lowercased() })
        }
        #expect(operations == ["New-InboxRule", "Set-Mailbox", "UpdateInboxRules"])
        #expect(addresses.count == 1)
        #expect(addresses.allSatisfy { world.directory.isInternal(address: $0) })
    }

    @Test func fewerThanThreeVictimsGetForwardingStoriesButNoFanIn() {
        var random = SeededGenerator(seed: 3)
        let directory = DirectoryGenerator.make(userCount: 20, random: &random)
        let end = fanInStart.addingTimeInterval(6 * 3600)
        var builder = ScenarioBuilder(
            directory: directory, timeline: TenantTimeline(start: fanInStart, end: end),
            groundTruth: GroundTruth(scenario: "forwarding-fan-in", seed: 3, tenantId: directory.tenantId),
            random: SeededGenerator(seed: 4), publication: PublicationProfile())
        let victims = Array(directory.users.filter { !$0.isVIP && !$0.isProtected && !$0.isSharedMailbox }.prefix(2))
        ForwardingFanIn.scenario.play(
            &builder, ScenarioContext(start: fanInStart, end: end, victims: victims, backgroundRate: 2))
        let (_, _, truth) = builder.finish()
        #expect(truth.expectedStories.map(\.detection) == [.externalForwarding, .externalForwarding])
        #expect(truth.expectedStories.map(\.criticality) == [.medium, .high])
        #expect(truth.benignLookAlikes.isEmpty)
    }

    /// With 20 users and two attacks an even share is five: the fan-in takes a sixth victim
    /// from after both shares, and the other attack keeps exactly what it had.
    @Test func theFanInTopsUpItsVictimsAfterEveryShareSoOtherAttacksKeepTheirs() {
        let withFanIn = world(["forwarding-fan-in", "outlook-rule"], users: 20)
        let without = world(["mailbox-forwarding", "outlook-rule"], users: 20)
        func outlook(_ world: SimulatedWorld) -> [GroundTruth.ExpectedStory] {
            world.groundTruth.expectedStories.filter { $0.attack == "outlook-rule" }
        }
        #expect(!outlook(withFanIn).isEmpty)
        #expect(outlook(withFanIn) == outlook(without))
        #expect(
            withFanIn.groundTruth.benignLookAlikes.filter { $0.kind == "internal-fan-in" }.count == 3,
            "the fan-in got its six victims")
        let fanInUsers = Set(
            withFanIn.groundTruth.expectedStories.filter { $0.attack == "forwarding-fan-in" }.map(\.user)
                + withFanIn.groundTruth.benignLookAlikes.filter { $0.kind == "internal-fan-in" }.map(\.user))
        let outlookUsers = Set(
            outlook(withFanIn).map(\.user)
                + withFanIn.groundTruth.benignLookAlikes.filter { $0.kind == "internal-forwarding-rule" }.map(\.user))
        #expect(fanInUsers.count == 6)
        #expect(fanInUsers.isDisjoint(with: outlookUsers))
    }

    @Test func theSameSeedGivesTheSameFanInAndAnotherSeedAnother() {
        let first = world(["forwarding-fan-in"], seed: 42)
        let second = world(["forwarding-fan-in"], seed: 42)
        let other = world(["forwarding-fan-in"], seed: 43)
        #expect(first.groundTruth == second.groundTruth)
        #expect(first.timeline.auditRecords.map(\.id) == second.timeline.auditRecords.map(\.id))
        #expect(first.groundTruth.expectedStories != other.groundTruth.expectedStories)
    }
}
