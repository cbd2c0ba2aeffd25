import Events
import Foundation
import Testing

@testable import TenantSimulator

/// 2026-11-20T00:00:00Z.
private let delegationStart = Date(timeIntervalSince1970: 1_795_132_800)

private func world(seed: UInt64 = 7, hours: Double = 6, users: Int = 50) -> SimulatedWorld {
    SimulatedWorld(
        configuration: SimulatorConfiguration(
            seed: seed, scenarios: ["delegation-takeover"], start: delegationStart, duration: hours * 3600,
            userCount: users, backgroundRate: 2))
}

struct DelegationTakeoverScenarioTests {
    @Test func impossibleTravelThenFullAccessAndANewAuthenticatorIsOneCriticalTakeover() throws {
        let world = world()
        let tenant = RenderedTenant(world)
        let stories = world.groundTruth.expectedStories
        #expect(stories.count == 1)
        let story = try #require(stories.first)
        #expect(story.detection == .accountTakeover && story.criticality == .critical)
        let victim = try #require(world.directory.user(id: story.user))

        // The sign-ins: home, then São Paulo within minutes, single factor, unmanaged, risk only low.
        let signIns = story.evidence.compactMap { id in world.timeline.signIns.first { $0.id == id } }
        #expect(signIns.count == 2)
        let (home, away) = (signIns[0], signIns[1])
        #expect(home.place == victim.home && home.authenticationRequirement == "multiFactorAuthentication")
        #expect(away.place.city == "São Paulo" && away.place.countryOrRegion == "BR")
        #expect(away.riskLevel == .low && away.succeeded)
        #expect(away.authenticationRequirement == "singleFactorAuthentication" && away.deviceTrustType.isEmpty)
        #expect(away.time.timeIntervalSince(home.time) <= 30 * 60)
        let impossible = tenant.isImpossibleTravel(away)
        #expect(impossible)

        // From the attacker's address: FullAccess on the victim's own mailbox, then security info.
        let documents = story.evidence.compactMap { tenant.documents[$0] }
        let permission = try #require(documents.first { ($0.json["Operation"] as? String) == "Add-MailboxPermission" })
        let parameters = Dictionary(uniqueKeysWithValues: RenderedTenant.parameters(permission.json))
        #expect(parameters["Identity"] == victim.userPrincipalName)
        #expect(parameters["AccessRights"] == "FullAccess")
        #expect(parameters["User"]?.contains("#EXT#") == true)
        let delegates = tenant.isDelegation(permission.json, by: victim)
        #expect(delegates)
        #expect((permission.json["ClientIP"] as? String)?.contains(away.ipAddress) == true)
        let securityInfo = try #require(documents.first { RenderedTenant.isSecurityInfoChange($0.json) })
        #expect((securityInfo.json["ClientIP"] as? String)?.contains(away.ipAddress) == true)
        #expect(away.time < permission.time && permission.time < securityInfo.time)
        #expect(securityInfo.time.timeIntervalSince(away.time) <= 24 * 3600)

        // No rule at all: the takeover rests on delegation and the MFA change alone.
        #expect(!world.timeline.rules.contains { $0.mailboxUserId == victim.id })
        let forwards = tenant.documents.values.contains { document in
            tenant.belongs(document.json, to: victim)
                && tenant.forwarding(document.json).map { !$0.recipients.isEmpty } == true
        }
        #expect(!forwards)
    }

    @Test func theSecurityInfoRecordHasTheShapeOfAnEntraDirectoryAudit() throws {
        let world = world()
        let tenant = RenderedTenant(world)
        let story = try #require(world.groundTruth.expectedStories.first)
        let victim = try #require(world.directory.user(id: story.user))
        let record = try #require(
            story.evidence.compactMap { tenant.documents[$0] }.first { RenderedTenant.isSecurityInfoChange($0.json) })
        let json = record.json
        #expect(json["Operation"] as? String == "User registered security info")
        #expect(RenderedTenant.int(json["RecordType"]) == 8)
        #expect(json["Workload"] as? String == "AzureActiveDirectory")
        #expect(json["OrganizationId"] as? String == world.directory.tenantId)
        #expect(json["ObjectId"] as? String == victim.userPrincipalName)
        #expect([victim.userPrincipalName, victim.id].contains(json["UserId"] as? String ?? ""))
        let actors = (json["Actor"] as? [[String: Any]] ?? []).compactMap { $0["ID"] as? String }
        let targets = (json["Target"] as? [[String: Any]] ?? []).compactMap { $0["ID"] as? String }
        #expect(actors.contains(victim.userPrincipalName))
        #expect(targets.contains(victim.id) && targets.contains(victim.userPrincipalName))
        let extended =
            (json["ExtendedProperties"] as? [[String: Any]]).map { items in
                items.map { "\($0["Name"] as? String ?? "")=\($0["Value"] as? String ?? "")" }.joined(separator: "; ")
            } ?? json["ExtendedProperties"] as? String ?? ""
        #expect(extended.contains("resultReason=User registered Authenticator App"))
        let spec = try #require(world.timeline.auditRecords.first { $0.id == json["Id"] as? String })
        #expect(spec.contentType == .azureActiveDirectory)
    }

    @Test func anAssistantsDelegationAndANewAuthenticatorAfterAHomeSignInAreLookAlikes() throws {
        let world = world()
        let tenant = RenderedTenant(world)
        let kinds: Set<String> = ["assistant-delegation", "security-info-after-home-sign-in"]
        let lookAlikes = world.groundTruth.benignLookAlikes.filter { kinds.contains($0.kind) }
        #expect(lookAlikes.count == 2)
        #expect(Set(lookAlikes.map(\.kind)) == kinds)
        #expect(lookAlikes.allSatisfy { $0.resembles == .accountTakeover })
        let victim = try #require(world.groundTruth.expectedStories.first?.user)
        #expect(!lookAlikes.contains { $0.user == victim })

        let delegation = try #require(lookAlikes.first { $0.kind == "assistant-delegation" })
        let admin = try #require(world.directory.user(id: delegation.user))
        let grant = try #require(
            delegation.evidence.compactMap { tenant.documents[$0] }.first {
                ($0.json["Operation"] as? String) == "Add-MailboxPermission"
            })
        let parameters = Dictionary(uniqueKeysWithValues: RenderedTenant.parameters(grant.json))
        let executive = try #require(parameters["Identity"].flatMap(world.directory.user(id:)))
        let assistant = try #require(parameters["User"].flatMap(world.directory.user(id:)))
        #expect(executive.isVIP)
        #expect(assistant.id != admin.id && executive.id != admin.id)
        let delegates = tenant.isDelegation(grant.json, by: admin)
        #expect(delegates)
        let adminSuspicious = (tenant.signInsByUser[delegation.user] ?? []).filter(tenant.isSuspicious)
        #expect(adminSuspicious.isEmpty)

        let registration = try #require(lookAlikes.first { $0.kind == "security-info-after-home-sign-in" })
        let user = try #require(world.directory.user(id: registration.user))
        let signIns = tenant.signInsByUser[registration.user] ?? []
        let suspicious = signIns.filter(tenant.isSuspicious)
        #expect(!signIns.isEmpty && suspicious.isEmpty)
        #expect(
            signIns.allSatisfy { $0.place == user.home && $0.authenticationRequirement == "multiFactorAuthentication" })
        let change = try #require(
            registration.evidence.compactMap { tenant.documents[$0] }.first {
                RenderedTenant.isSecurityInfoChange($0.json)
            })
        let last = try #require(signIns.last { $0.time < change.time })
        #expect(change.time.timeIntervalSince(last.time) <= 15 * 60, "right after the sign-in")
    }

    @Test func theImpossibleTravelStaysImpossibleWhenAShortRunSqueezesTheClock() throws {
        let world = world(hours: 1)
        let tenant = RenderedTenant(world)
        let story = try #require(world.groundTruth.expectedStories.first)
        let away = try #require(
            story.evidence.compactMap { id in world.timeline.signIns.first { $0.id == id } }.last)
        #expect(away.place.city == "São Paulo")
        let impossible = tenant.isImpossibleTravel(away)
        #expect(impossible)
        let end = delegationStart.addingTimeInterval(3600)
        #expect(world.timeline.auditRecords.allSatisfy { $0.creationTime >= delegationStart && $0.creationTime <= end })
    }

    @Test func theSameSeedGivesTheSameTakeoverAndAnotherSeedAnother() {
        let first = world(seed: 42)
        let second = world(seed: 42)
        let other = world(seed: 43)
        #expect(first.groundTruth == second.groundTruth)
        #expect(first.timeline.auditRecords.map(\.id) == second.timeline.auditRecords.map(\.id))
        #expect(first.groundTruth.expectedStories != other.groundTruth.expectedStories)
    }
}
