import Foundation
import Testing

@testable import TenantSimulator

/// The directory's security groups: made from its own users, without changing any scenario,
/// served as Graph serves groups and memberships, and listed in `/sim/info` for tests.
@Suite struct GroupTests {
    static let names = [
        DirectoryGroup.executives, DirectoryGroup.itAdmins, DirectoryGroup.breakGlass, DirectoryGroup.privileged,
    ]

    @Test func theGroupsAreMadeOfExistingUsersAndNoAdminIsAVictim() throws {
        let world = SimulatedWorld(
            configuration: Fixtures.configuration(scenarios: ScenarioCatalog.attacks.map(\.name)))
        let directory = world.directory
        #expect(directory.groups.map(\.displayName) == Self.names)
        let executives = try #require(directory.group(named: "executives"))
        #expect(executives.memberUserIds == directory.users.filter(\.isVIP).map(\.id))
        #expect(executives.memberUserIds.count == 2)
        let breakGlass = try #require(directory.group(named: DirectoryGroup.breakGlass))
        #expect(breakGlass.memberUserIds == directory.users.filter(\.isProtected).map(\.id))
        let admins = try #require(directory.group(named: DirectoryGroup.itAdmins))
        #expect(admins.memberUserIds.count == DirectoryGroups.itAdminCount)
        let victims = Set(world.groundTruth.expectedStories.map(\.user))
        for id in admins.memberUserIds {
            let user = try #require(directory.user(id: id))
            #expect(!user.isVIP && !user.isProtected && !user.isSharedMailbox)
            #expect(!victims.contains(user.userPrincipalName.lowercased()), "\(user.userPrincipalName) is a victim")
        }
        let privileged = try #require(directory.group(named: DirectoryGroup.privileged))
        #expect(privileged.memberUserIds.isEmpty)
        #expect(privileged.memberGroupIds == [admins.id, breakGlass.id])
        let glass = try #require(breakGlass.memberUserIds.first)
        #expect(
            directory.transitiveGroups(of: glass).map(\.displayName) == [
                DirectoryGroup.breakGlass, DirectoryGroup.privileged,
            ])
        #expect(SimulatedWorld(configuration: world.configuration).directory.groups == directory.groups)
    }

    @Test func theGroupsOfAUserAreListedTransitivelyAndPaged() async throws {
        let session = try await ActionAppSession.start(
            Fixtures.configuration(scenarios: ["account-takeover"], pageSize: 5).withGraphPageSize(1))
        defer { Task { await session.stop() } }
        let directory = session.world.directory
        let glass = try #require(directory.users.first { $0.isProtected })
        var next: String? =
            "/v1.0/users/\(glass.userPrincipalName)/transitiveMemberOf/microsoft.graph.group?$select=id,displayName"
        var names: [String] = []
        var pages = 0
        while let url = next {
            let page = try #require(try await session.graph("GET", url).object)
            let values = try #require(page["value"] as? [[String: Any]])
            #expect(values.count == 1)
            for value in values {
                #expect(Set(value.keys) == ["id", "displayName"], "a cast collection has no @odata.type")
                names.append(try #require(value["displayName"] as? String))
            }
            #expect((page["@odata.context"] as? String)?.hasSuffix("$metadata#groups") == true)
            next = page["@odata.nextLink"] as? String
            pages += 1
        }
        #expect(names == [DirectoryGroup.breakGlass, DirectoryGroup.privileged])
        #expect(pages == 2)

        let ceo = try #require(directory.users.first { $0.jobTitle == "Chief Executive Officer" })
        let all = try #require(
            try await session.graph("GET", "/v1.0/users/\(ceo.id)/transitiveMemberOf?$count=true").object)
        #expect(all["@odata.count"] as? Int == 1)
        let entry = try #require((all["value"] as? [[String: Any]])?.first)
        #expect(entry["@odata.type"] as? String == "#microsoft.graph.group")
        #expect(entry["displayName"] as? String == DirectoryGroup.executives)
        #expect(entry["securityEnabled"] as? Bool == true)

        let staff = try #require(
            directory.users.first { user in !user.isSharedMailbox && directory.transitiveGroups(of: user.id).isEmpty })
        let none = try #require(
            try await session.graph("GET", "/v1.0/users/\(staff.id)/transitiveMemberOf/microsoft.graph.group").object)
        #expect((none["value"] as? [Any])?.isEmpty == true)
        let unknown = try await session.graph("GET", "/v1.0/users/nobody@contoso.com/transitiveMemberOf")
        #expect(unknown.status == 404)
    }

    @Test func groupsAreFoundByNameAndById() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let admins = try #require(session.world.directory.group(named: DirectoryGroup.itAdmins))
        let found = try #require(
            try await session.graph("GET", "/v1.0/groups?$filter=displayName%20eq%20'IT%20Admins'").object)
        let values = try #require(found["value"] as? [[String: Any]])
        #expect(values.map { $0["id"] as? String } == [admins.id])
        let all = try #require(try await session.graph("GET", "/v1.0/groups").object)
        #expect((all["value"] as? [[String: Any]])?.compactMap { $0["displayName"] as? String } == Self.names)
        let one = try #require(try await session.graph("GET", "/v1.0/groups/\(admins.id)?$select=displayName").object)
        #expect(one["displayName"] as? String == DirectoryGroup.itAdmins)
        #expect(try await session.graph("GET", "/v1.0/groups/00000000-0000-0000-0000-000000000000").status == 404)
    }

    @Test func anAppThatMayReadUsersButNotGroupsSeesMembershipsWithoutNames() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let collector = try await session.simulator.token(scope: ActionAppSession.graphScope)
        let ceo = try #require(session.world.directory.users.first { $0.isVIP })
        let limited = try #require(
            try await session.graph(
                "GET", "/v1.0/users/\(ceo.id)/transitiveMemberOf/microsoft.graph.group?$select=id,displayName",
                token: collector
            ).object)
        let entry = try #require((limited["value"] as? [[String: Any]])?.first)
        #expect(entry["id"] as? String == session.world.directory.group(named: DirectoryGroup.executives)?.id)
        #expect(entry["displayName"] is NSNull)
        let groups = try await session.graph("GET", "/v1.0/groups", token: collector)
        #expect(groups.status == 403)
        #expect(groups.errorCode == "Authorization_RequestDenied")
    }

    @Test func simInfoListsEveryGroupWithItsMembers() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let info = try #require(try await session.simulator.send("GET", "/sim/info").object)
        let groups = try #require(info["groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["displayName"] as? String } == Self.names)
        let directory = session.world.directory
        let upn = { (id: String) in directory.user(id: id)?.userPrincipalName }
        for group in directory.groups {
            let listed = try #require(groups.first { $0["id"] as? String == group.id })
            #expect(listed["members"] as? [String] == group.memberUserIds.compactMap(upn))
        }
        let privileged = try #require(groups.first { $0["displayName"] as? String == DirectoryGroup.privileged })
        #expect(privileged["memberGroups"] as? [String] == [DirectoryGroup.itAdmins, DirectoryGroup.breakGlass])
        let expected = directory.users.filter { user in
            directory.transitiveGroups(of: user.id).contains { $0.displayName == DirectoryGroup.privileged }
        }
        #expect(privileged["transitiveMembers"] as? [String] == expected.map(\.userPrincipalName))
        #expect(expected.count == DirectoryGroups.itAdminCount + 1)
        let apps = try #require(info["apps"] as? [String: [String: Any]])
        #expect((apps["actions"]?["graphRoles"] as? [String])?.contains("GroupMember.Read.All") == true)
    }
}

extension SimulatorConfiguration {
    func withGraphPageSize(_ size: Int) -> SimulatorConfiguration {
        var copy = self
        copy.graphPageSize = size
        return copy
    }
}
