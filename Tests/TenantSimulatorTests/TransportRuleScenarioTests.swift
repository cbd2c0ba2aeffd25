import Events
import Foundation
import Testing

@testable import TenantSimulator

/// 2026-11-20T00:00:00Z.
private let transportStart = Date(timeIntervalSince1970: 1_795_132_800)

private func world(seed: UInt64 = 7, users: Int = 50) -> SimulatedWorld {
    SimulatedWorld(
        configuration: SimulatorConfiguration(
            seed: seed, scenarios: ["transport-rule-bcc"], start: transportStart, duration: 6 * 3600,
            userCount: users, backgroundRate: 2))
}

struct TransportRuleScenarioTests {
    @Test func aTransportRuleBlindCopyingToALookAlikeDomainIsMediumForwardingOnWhoeverRanIt() throws {
        let world = world()
        let tenant = RenderedTenant(world)
        let story = try #require(world.groundTruth.expectedStories.first)
        #expect(world.groundTruth.expectedStories.count == 1)
        #expect(story.detection == .externalForwarding && story.criticality == .medium)
        let user = try #require(world.directory.user(id: story.user))
        #expect(!user.isVIP && !user.isProtected)

        let documents = tenant.documents
        let record = try #require(documents[story.evidence[0]])
        #expect(record.json["Operation"] as? String == "New-TransportRule")
        #expect(RenderedTenant.int(record.json["RecordType"]) == 1)
        #expect([user.userPrincipalName, user.id].contains(record.json["UserId"] as? String ?? ""))
        let parameters = Dictionary(uniqueKeysWithValues: RenderedTenant.parameters(record.json))
        let name = try #require(parameters["Name"])
        #expect(record.json["ObjectId"] as? String == name)
        #expect(parameters["SubjectContainsWords"]?.contains("invoice") == true)
        #expect(parameters["RedirectMessageTo"] == nil && parameters["DeleteMessage"] == nil)
        let bcc = try #require(parameters["BlindCopyTo"])
        #expect(bcc.hasSuffix("@contoso-audit.example"))
        #expect(!world.directory.isInternal(address: bcc))
        let forwarding = tenant.forwarding(record.json)
        let view = try #require(forwarding)
        let outside = tenant.forwardsOutside(view)
        #expect(outside && !view.redirectsAway && !view.deletes)

        // No suspicious sign-in: the rule is the whole story.
        let signIns = tenant.signInsByUser[story.user] ?? []
        let suspicious = signIns.filter(tenant.isSuspicious)
        #expect(!signIns.isEmpty && suspicious.isEmpty)
    }

    @Test func aTransportRuleCopyingToTheTenantsComplianceMailboxIsALookAlike() throws {
        let world = world()
        let tenant = RenderedTenant(world)
        let lookAlikes = world.groundTruth.benignLookAlikes.filter { $0.kind == "internal-transport-rule" }
        let lookAlike = try #require(lookAlikes.first)
        #expect(lookAlikes.count == 1)
        #expect(lookAlike.resembles == .externalForwarding)
        #expect(lookAlike.user != world.groundTruth.expectedStories.first?.user)
        let documents = tenant.documents
        let record = try #require(documents[lookAlike.evidence[0]])
        #expect(record.json["Operation"] as? String == "New-TransportRule")
        let forwarding = tenant.forwarding(record.json)
        let view = try #require(forwarding)
        #expect(!view.recipients.isEmpty)
        #expect(view.recipients.allSatisfy { world.directory.isInternal(address: $0) })
    }

    @Test func theSameSeedGivesTheSameRuleAndAnotherSeedAnother() {
        let first = world(seed: 42)
        let second = world(seed: 42)
        let other = world(seed: 43)
        #expect(first.groundTruth == second.groundTruth)
        #expect(first.timeline.auditRecords.map(\.id) == second.timeline.auditRecords.map(\.id))
        #expect(first.groundTruth.expectedStories != other.groundTruth.expectedStories)
    }
}
