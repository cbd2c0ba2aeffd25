import Events
import Foundation
public import M365

/// Which mailboxes the mail collector reads: every user whose user principal name is in one of
/// the configured domains. Mailboxes outside are never read (least surprise for a privacy
/// review: the domains are the scope).
///
/// Groups (`mailGroups`) are not supported yet: their members come from `groups/{id}/members`,
/// which the tenant simulator does not serve, so that path would ship untested. A configured
/// group is refused with a clear error rather than silently ignored.
public struct MailboxScope: Sendable, Hashable {
    /// Lower-cased domains (`contoso.com`).
    public let domains: Set<String>
    public let groups: [String]
    /// Mailboxes read by another source (the phishing-report mailbox), lower-cased.
    public let excluded: Set<String>

    public init(domains: [String], groups: [String] = [], excluding excluded: [String] = []) {
        self.domains = Set(
            domains.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.map {
                $0.hasPrefix("@") ? String($0.dropFirst()) : $0
            })
        self.groups = groups
        self.excluded = Set(excluded.map { $0.keyNormalized })
    }

    public var isEmpty: Bool { domains.isEmpty }

    /// Every setting that cannot work, as `key: problem` lines.
    public func problems() -> [String] {
        var problems: [String] = []
        if !groups.isEmpty {
            problems.append(
                "mailGroups: mailbox scope by group is not supported yet (it needs groups/{id}/members, which "
                    + "is not tested against the simulator); list the groups' domains in mailDomains instead")
        }
        for domain in domains where domain.isEmpty || !domain.contains(".") || domain.contains("@") {
            problems.append("mailDomains: '\(domain)' is not a domain name like contoso.com")
        }
        return problems
    }

    /// Whether the mailbox of `userPrincipalName` is in scope.
    public func contains(_ userPrincipalName: String) -> Bool {
        let address = userPrincipalName.keyNormalized
        guard !excluded.contains(address), let at = address.lastIndex(of: "@") else { return false }
        return domains.contains(String(address[address.index(after: at)...]))
    }

    /// The in-scope mailboxes of a user listing, as lower-cased user principal names, sorted.
    public func mailboxes(in users: [GraphItem]) -> [String] {
        Set(users.compactMap { $0[string: "userPrincipalName"] }.filter(contains).map(\.keyNormalized))
            .sorted()
    }
}
