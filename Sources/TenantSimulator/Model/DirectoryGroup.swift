public import Foundation

/// A security group of the simulated directory (`GET /groups`,
/// `users/{id}/transitiveMemberOf`). Membership is fixed for the run; a group may hold other
/// groups, whose members are then its members too (transitively).
public struct DirectoryGroup: Sendable, Hashable {
    public var id: String
    public var displayName: String
    public var description: String
    public var mailNickname: String
    /// Object ids of the users who are direct members, in directory order.
    public var memberUserIds: [String]
    /// Ids of the groups that are direct members.
    public var memberGroupIds: [String]
    public var createdAt: Date

    public init(
        id: String, displayName: String, description: String, mailNickname: String, memberUserIds: [String],
        memberGroupIds: [String] = [], createdAt: Date
    ) {
        self.id = id
        self.displayName = displayName
        self.description = description
        self.mailNickname = mailNickname
        self.memberUserIds = memberUserIds
        self.memberGroupIds = memberGroupIds
        self.createdAt = createdAt
    }

    /// The executives (the directory's VIPs).
    public static let executives = "Executives"
    /// A few ordinary staff who administer the tenant; never an attack's victim.
    public static let itAdmins = "IT Admins"
    /// The emergency-access accounts (the directory's protected accounts).
    public static let breakGlass = "Break Glass Accounts"
    /// Holds the groups IT Admins and Break Glass Accounts: their members are its members transitively.
    public static let privileged = "Privileged Accounts"
}

extension TenantDirectory {
    /// The group called `displayName` (any case).
    public func group(named displayName: String) -> DirectoryGroup? {
        groups.first { $0.displayName.caseInsensitiveCompare(displayName) == .orderedSame }
    }

    /// The groups `userId` is a member of, directly or through nested groups, in directory order.
    public func transitiveGroups(of userId: String) -> [DirectoryGroup] {
        var found = Set(groups.filter { $0.memberUserIds.contains(userId) }.map(\.id))
        var grew = true
        while grew {
            grew = false
            for group in groups where !found.contains(group.id) && group.memberGroupIds.contains(where: found.contains)
            {
                found.insert(group.id)
                grew = true
            }
        }
        return groups.filter { found.contains($0.id) }
    }
}
