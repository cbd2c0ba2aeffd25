import Foundation

/// Makes the security groups of a simulated directory from existing users, on a random stream
/// of their own, after the scenarios chose their victims: no user is added and no other draw
/// moves, so every timeline and ground truth stays what it was without groups.
enum DirectoryGroups {
    /// How many people administer the tenant.
    static let itAdminCount = 3

    /// - Executives: the VIPs. Break Glass Accounts: the protected accounts. IT Admins: a few
    ///   ordinary staff who are no attack's victim (so a policy that spares admins changes no
    ///   scenario's remediation). Privileged Accounts: the IT Admins and Break Glass groups.
    static func make(directory: TenantDirectory, victims: Set<String>, random: SeededGenerator) -> [DirectoryGroup] {
        var random = random
        let created = directory.users.map(\.createdAt).min() ?? Date(timeIntervalSince1970: 1_577_836_800)
        let people = directory.users.filter { !$0.isSharedMailbox }
        var pool = people.filter { !$0.isVIP && !$0.isProtected && !victims.contains($0.id) }
        random.shuffle(&pool)
        let admins = Set(pool.prefix(itAdminCount).map(\.id))
        func group(_ name: String, _ description: String, users: [String], groups: [String] = []) -> DirectoryGroup {
            DirectoryGroup(
                id: random.guid(), displayName: name, description: description,
                mailNickname: name.lowercased().replacingOccurrences(of: " ", with: "-"), memberUserIds: users,
                memberGroupIds: groups, createdAt: created)
        }
        let executives = group(
            DirectoryGroup.executives, "The executive team", users: people.filter(\.isVIP).map(\.id))
        let itAdmins = group(
            DirectoryGroup.itAdmins, "Tenant administrators", users: people.filter { admins.contains($0.id) }.map(\.id))
        let breakGlass = group(
            DirectoryGroup.breakGlass, "Emergency access accounts, excluded from Conditional Access",
            users: people.filter(\.isProtected).map(\.id))
        let privileged = group(
            DirectoryGroup.privileged, "Every account with administrative rights", users: [],
            groups: [itAdmins.id, breakGlass.id])
        return [executives, itAdmins, breakGlass, privileged]
    }
}
