/// What the correlator knows about a tenant as a whole: which domains are its own, and
/// who matters most. Forwarding is external only relative to this.
public struct TenantContext: Sendable, Hashable, Codable {
    /// Accepted domains, lower-cased. Subdomains of an accepted domain are internal too.
    public var acceptedDomains: Set<String>
    /// Users whose stories are raised one level, lower-cased UPNs.
    public var vipUsers: Set<String>

    public init(acceptedDomains: Set<String> = [], vipUsers: Set<String> = []) {
        self.acceptedDomains = Set(acceptedDomains.map { $0.lowercased() })
        self.vipUsers = Set(vipUsers.map { $0.lowercased() })
    }

    /// Whether mail to `address` stays inside the tenant. With no accepted domains known yet,
    /// the user's own domain stands in, so a tenant whose domain list has not arrived does not
    /// call every colleague external.
    public func isInternal(_ address: String, user: String) -> Bool {
        guard let domain = Self.domain(of: address) else {
            // No domain at all: an Exchange legacy DN or a bare alias names a recipient inside the organisation.
            return true
        }
        let own = acceptedDomains.isEmpty ? Set([Self.domain(of: user)].compactMap { $0 }) : acceptedDomains
        return own.contains { accepted in domain == accepted || domain.hasSuffix("." + accepted) }
    }

    /// The domain of an address, lower-cased, without a trailing dot.
    static func domain(of address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        var domain = address[address.index(after: at)...].lowercased()
        while domain.hasSuffix(".") || domain.hasSuffix(">") { domain.removeLast() }
        return domain.isEmpty ? nil : domain
    }
}
