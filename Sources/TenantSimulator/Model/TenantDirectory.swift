public import Foundation

/// The reference data of a simulated tenant: who works there and which mail
/// domains are its own. Built once from the seed; the mutable part of the tenant
/// (disabled accounts, removed rules, ...) lives in ``TenantState``.
public struct TenantDirectory: Sendable, Hashable {
    public var tenantId: String
    public var displayName: String
    /// The tenant's accepted domains; the first is the default (`contoso.com`),
    /// one is always the initial `*.onmicrosoft.com` domain.
    public var domains: [AcceptedDomain]
    public var users: [SimulatedUser]
    /// The user principal name of the shared mailbox users send suspicious mail to
    /// (`phishreports@contoso.com`), as an attachment; it is one of ``users``.
    /// `nil` for a directory made without one.
    public var reportMailbox: String?
    /// The security groups (see ``DirectoryGroup``); made after the scenarios chose their
    /// victims, so they change no scenario.
    public var groups: [DirectoryGroup]

    public init(
        tenantId: String, displayName: String, domains: [AcceptedDomain], users: [SimulatedUser],
        reportMailbox: String? = nil, groups: [DirectoryGroup] = []
    ) {
        self.tenantId = tenantId
        self.displayName = displayName
        self.domains = domains
        self.users = users
        self.reportMailbox = reportMailbox
        self.groups = groups
    }

    public var defaultDomain: String { domains.first(where: \.isDefault)?.name ?? domains[0].name }

    /// Whether `address` is inside the tenant: its domain is accepted or a subdomain of one.
    public func isInternal(address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        let domain = address[address.index(after: at)...].lowercased()
        return domains.contains { domain == $0.name || domain.hasSuffix("." + $0.name) }
    }

    public func user(id: String) -> SimulatedUser? {
        users.first { $0.id == id || $0.userPrincipalName.caseInsensitiveCompare(id) == .orderedSame }
    }

    /// The user's manager (Graph `users/{id}/manager`); `nil` at the top of the organisation,
    /// for the break-glass account and for shared mailboxes.
    public func manager(of user: SimulatedUser) -> SimulatedUser? {
        guard let managerId = user.managerId else { return nil }
        return users.first { $0.id == managerId }
    }

    /// The shared mailbox of ``reportMailbox``.
    public var reportMailboxUser: SimulatedUser? { reportMailbox.flatMap(user(id:)) }
}

/// A domain the tenant receives mail for (`GET /domains`).
public struct AcceptedDomain: Sendable, Hashable {
    public var name: String
    public var isDefault: Bool
    public var isInitial: Bool

    public init(name: String, isDefault: Bool = false, isInitial: Bool = false) {
        self.name = name
        self.isDefault = isDefault
        self.isInitial = isInitial
    }
}

/// A person (or shared mailbox) in the tenant, with the habits background
/// activity follows: where they usually sign in from.
public struct SimulatedUser: Sendable, Hashable {
    public var id: String
    public var userPrincipalName: String
    public var displayName: String
    public var department: String
    public var jobTitle: String
    /// Executives and finance staff: detections raise criticality for them.
    public var isVIP: Bool
    /// Break-glass and service accounts the action worker must never touch.
    public var isProtected: Bool
    public var home: Place
    /// Addresses the user signs in from on ordinary days.
    public var usualIPs: [String]
    public var createdAt: Date
    /// The object id of the user's manager (Graph `manager`); `nil` when they have none.
    public var managerId: String?
    /// A shared mailbox (the phishing-report mailbox): a user object that nobody signs in
    /// to (`accountEnabled` false), with no background activity and never a victim.
    public var isSharedMailbox: Bool

    public init(
        id: String, userPrincipalName: String, displayName: String, department: String, jobTitle: String,
        isVIP: Bool, isProtected: Bool, home: Place, usualIPs: [String], createdAt: Date, managerId: String? = nil,
        isSharedMailbox: Bool = false
    ) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.department = department
        self.jobTitle = jobTitle
        self.isVIP = isVIP
        self.isProtected = isProtected
        self.home = home
        self.usualIPs = usualIPs
        self.createdAt = createdAt
        self.managerId = managerId
        self.isSharedMailbox = isSharedMailbox
    }
}

/// Where a sign-in comes from, as Graph's `location` reports it.
public struct Place: Sendable, Hashable {
    public var city: String
    public var state: String
    /// ISO 3166 alpha-2.
    public var countryOrRegion: String
    /// Fixed-point text, so rendering never depends on float formatting.
    public var latitude: String
    public var longitude: String

    public init(city: String, state: String, countryOrRegion: String, latitude: String, longitude: String) {
        self.city = city
        self.state = state
        self.countryOrRegion = countryOrRegion
        self.latitude = latitude
        self.longitude = longitude
    }
}
