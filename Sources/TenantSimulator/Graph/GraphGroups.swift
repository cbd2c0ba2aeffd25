import Foundation

/// Security groups: `groups`, `groups/{id}` and a user's memberships
/// (`users/{id}/transitiveMemberOf`, optionally cast to `microsoft.graph.group`).
///
/// As in Entra ID, an app that may read users but not groups (`User.Read.All` alone) still
/// lists a user's memberships, but each group comes back with limited information: its id and
/// type, every other property null. Group names need `GroupMember.Read.All` (or broader).
extension GraphAPI {
    /// `GET users/{id}/transitiveMemberOf[/microsoft.graph.group]`: the groups the user is in,
    /// directly or through nested groups, paged; `$filter` on `displayName` / `id`, `$count=true`.
    func listTransitiveMemberOf(_ call: GraphCall, castToGroup: Bool) throws(GraphFailure) -> SimResponse {
        try call.require(.listMemberships)
        let user = try directoryUser(call)
        let readable = GraphPermission.readGroups.isGranted(by: call.roles)
        let groups = world.directory.transitiveGroups(of: user.id).filter { $0.createdAt <= call.now }
        let paging = try offsetRequest(kind: "memberOf", call, maxTop: 999)
        let matching = try groupIndices(groups, filterText: paging.filterText)
        let userSegment = call.parameters["user"] ?? user.id
        let path = "/users/\(userSegment)/transitiveMemberOf" + (castToGroup ? "/microsoft.graph.group" : "")
        let (range, nextLink) = offsetSlice(paging, count: matching.count, path: path, call)
        let values = matching[range].map { index in
            call.project(renderGroup(groups[index], readable: readable, typed: !castToGroup))
        }
        return collection(
            call, context: castToGroup ? "groups" : "directoryObjects", values, nextLink: nextLink,
            count: call.queryValue("$count")?.lowercased() == "true" ? matching.count : nil)
    }

    /// `GET groups`: every group, paged; `$filter` on `displayName`, `id`, `mailNickname`, `securityEnabled`.
    func listGroups(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readGroups)
        let groups = world.directory.groups.filter { $0.createdAt <= call.now }
        let paging = try offsetRequest(kind: "groups", call, maxTop: 999)
        let matching = try groupIndices(groups, filterText: paging.filterText)
        let (range, nextLink) = offsetSlice(paging, count: matching.count, path: "/groups", call)
        let values = matching[range].map { call.project(renderGroup(groups[$0], readable: true, typed: false)) }
        return collection(
            call, context: "groups", values, nextLink: nextLink,
            count: call.queryValue("$count")?.lowercased() == "true" ? matching.count : nil)
    }

    /// `GET groups/{id}`.
    func getGroup(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readGroups)
        let id = call.parameters["group"] ?? ""
        guard let group = world.directory.groups.first(where: { $0.id == id.lowercased() && $0.createdAt <= call.now })
        else { throw GraphFailure(GraphError.resourceNotFound(id)) }
        return entity(call, context: "groups/$entity", call.project(renderGroup(group, readable: true, typed: false)))
    }

    private func groupIndices(_ groups: [DirectoryGroup], filterText: String) throws(GraphFailure) -> [Int] {
        let filter = try SplitFilter.parse(filterText, timeProperties: [], refusal: .directory) { clause in
            switch clause.property.lowercased() {
            case "displayname": SplitFilter.stringComparison(clause) { groups[$0].displayName }
            case "id": SplitFilter.stringComparison(clause) { groups[$0].id }
            case "mailnickname": SplitFilter.stringComparison(clause) { groups[$0].mailNickname }
            case "securityenabled": SplitFilter.boolComparison(clause) { _ in true }
            default: nil
            }
        }
        return groups.indices.filter(filter.matches)
    }

    /// A security group as Graph shows it; `readable` false gives the limited form (id only).
    /// `typed` puts `@odata.type` first, as a `directoryObject` collection does.
    func renderGroup(_ group: DirectoryGroup, readable: Bool, typed: Bool) -> OrderedJSON {
        func known(_ value: OrderedJSON) -> OrderedJSON { readable ? value : .null }
        var members: [OrderedJSON.Member] = []
        if typed { members.append(.init("@odata.type", .string("#microsoft.graph.group"))) }
        members += [
            .init("id", .string(group.id)),
            .init("deletedDateTime", .null),
            .init("classification", .null),
            .init("createdDateTime", known(.string(SimTime.graphTime(group.createdAt)))),
            .init("description", known(.string(group.description))),
            .init("displayName", known(.string(group.displayName))),
            .init("groupTypes", .array([])),
            .init("mail", .null),
            .init("mailEnabled", known(.bool(false))),
            .init("mailNickname", known(.string(group.mailNickname))),
            .init("securityEnabled", known(.bool(true))),
            .init("visibility", .null),
        ]
        return .object(members)
    }
}
