/// The app registrations of a simulated tenant: a read-only collector app and a
/// separate action app with write permissions, as least privilege asks.
public struct SimulatorApps: Sendable, Hashable {
    public var collector: App
    public var actions: App

    /// One registered application and its (demo) secret.
    public struct App: Sendable, Hashable {
        public var clientId: String
        public var clientSecret: String
        public var displayName: String
        public var graphRoles: Set<String>
        public var managementRoles: Set<String>
    }

    static let collectorGraphRoles: Set<String> = [
        "User.Read.All", "Domain.Read.All", "AuditLog.Read.All", "IdentityRiskyUser.Read.All", "Mail.Read",
        "MailboxSettings.Read", "SecurityAlert.Read.All", "ThreatSubmission.Read.All",
    ]
    static let collectorManagementRoles: Set<String> = ["ActivityFeed.Read", "ActivityFeed.ReadDlp"]
    static let actionGraphRoles: Set<String> = [
        "User.Read.All", "Mail.ReadWrite", "MailboxSettings.ReadWrite", "User.EnableDisableAccount.All",
        "User.RevokeSessions.All", "User.ReadWrite.All", "IdentityRiskyUser.ReadWrite.All", "Mail.Send",
        // Group names of a target's memberships (is this an executive, an admin, a break-glass account?).
        "GroupMember.Read.All",
    ]

    /// Ids and secrets come from the seed, so a demo prints the same ones every time.
    init(random: inout SeededGenerator) {
        collector = App(
            clientId: random.guid(), clientSecret: "sim~" + random.base64url(byteCount: 30),
            displayName: "Inboxwatch Collector", graphRoles: Self.collectorGraphRoles,
            managementRoles: Self.collectorManagementRoles)
        actions = App(
            clientId: random.guid(), clientSecret: "sim~" + random.base64url(byteCount: 30),
            displayName: "Inboxwatch Actions", graphRoles: Self.actionGraphRoles, managementRoles: [])
    }

    var registrations: [AppRegistration] {
        [collector, actions].map { app in
            AppRegistration(
                clientId: app.clientId, displayName: app.displayName,
                secrets: [ClientSecret(value: app.clientSecret, expiresAt: .distantFuture)],
                grantedRoles: [
                    EntraResource.graph: app.graphRoles, EntraResource.managementActivity: app.managementRoles,
                ])
        }
    }
}
