import Foundation

extension Normalizer {
    /// Who performed an audited operation, from `UserType` and the shape of `UserId`. Exchange's
    /// own service processes run cmdlets (`New-InboxRule` included) as part of normal operation;
    /// telling them apart is what keeps them out of a user's story.
    enum ActorKind {
        static func classify(userType: Int?, userId: String?) -> SecurityEvent.ActorType {
            let id = (userId ?? "").trimmed().lowercased()
            if isSystemName(id) { return .system }
            switch userType {
            // 3 datacenter admin, 4 system, 7 custom policy, 8 system policy.
            case 3?, 4?, 7?, 8?: return .system
            case 5?, 6?: return .application
            case 2?: return .admin
            case 0?, 1?: return .user
            default: return id.isEmpty || id == "not available" || id == "n/a" ? .unknown : .user
            }
        }

        static func isSystemName(_ id: String) -> Bool {
            id.hasPrefix("nt authority\\") || id.hasPrefix("s-1-5-18") || id == "system"
                || id.hasPrefix("servicehost") || id.contains("(microsoft.exchange.")
        }
    }
}
