/// The application permissions each component needs, with the calls that use them. It follows
/// what the collectors and the action worker actually call (`Sources/Collector`,
/// `Sources/Actions`, docs/actions.md), least privilege first.
public enum PermissionCatalog {
    private typealias Q = RequiredPermission.QueryItem
    private static let top1 = [Q("$top", "1")]

    /// Every permission `component` needs. `contentTypes` are the audit collector's content
    /// types: `DLP.All` adds `ActivityFeed.ReadDlp`.
    public static func required(
        for component: InboxwatchComponent, contentTypes: [AuditContentType] = []
    ) -> [RequiredPermission] {
        switch component {
        case .audit: audit(contentTypes: contentTypes)
        case .mail: mail
        case .correlator: []
        case .act: act
        }
    }

    static func audit(contentTypes: [AuditContentType]) -> [RequiredPermission] {
        var permissions = [
            RequiredPermission(
                "ActivityFeed.Read", api: .management, component: .audit,
                usedFor: "subscriptions and audit content (Audit.* content types)", probe: .managementSubscriptions)
        ]
        if contentTypes.contains(.dlpAll) {
            permissions.append(
                RequiredPermission(
                    "ActivityFeed.ReadDlp", api: .management, component: .audit, usedFor: "DLP.All content",
                    probe: nil))
        }
        return permissions
    }

    static let mail: [RequiredPermission] = [
        RequiredPermission(
            "User.Read.All", component: .mail, usedFor: "user profiles and the mailboxes in scope",
            alsoSatisfiedBy: [["User.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"]],
            probe: .graph(
                path: "users", query: top1 + [Q("$select", "id,userPrincipalName")], version: .v1, proves: true)),
        RequiredPermission(
            "Domain.Read.All", component: .mail, usedFor: "accepted domains (what is internal)",
            alsoSatisfiedBy: [["Domain.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"]],
            probe: .graph(path: "domains", query: [], version: .v1, proves: true)),
        RequiredPermission(
            "AuditLog.Read.All", component: .mail, usedFor: "sign-ins (auditLogs/signIns)",
            probe: .graph(path: "auditLogs/signIns", query: top1, version: .v1, proves: true)),
        RequiredPermission(
            "IdentityRiskyUser.Read.All", component: .mail, usedFor: "risky users (Entra ID Protection)",
            alsoSatisfiedBy: [["IdentityRiskyUser.ReadWrite.All"]],
            probe: .graph(path: "identityProtection/riskyUsers", query: top1, version: .v1, proves: true)),
        RequiredPermission(
            "Mail.Read", component: .mail, usedFor: "inbox messages (delta) and the phishing-report mailbox",
            alsoSatisfiedBy: [["Mail.ReadWrite"]],
            probe: .graph(
                path: "users/{mailbox}/mailFolders/inbox/messages", query: top1 + [Q("$select", "id")], version: .v1,
                proves: true)),
        RequiredPermission(
            "MailboxSettings.Read", component: .mail, usedFor: "inbox rules and mailbox settings",
            alsoSatisfiedBy: [["MailboxSettings.ReadWrite"]],
            probe: .graph(path: "users/{mailbox}/mailFolders/inbox/messageRules", query: [], version: .v1, proves: true)
        ),
        RequiredPermission(
            "SecurityAlert.Read.All", component: .mail, usedFor: "Defender alerts (security/alerts_v2)",
            alsoSatisfiedBy: [["SecurityAlert.ReadWrite.All"]],
            probe: .graph(path: "security/alerts_v2", query: top1, version: .v1, proves: true)),
        RequiredPermission(
            "ThreatSubmission.Read.All", component: .mail, usedFor: "user-reported and detected email threats",
            alsoSatisfiedBy: [["ThreatSubmission.ReadWrite.All"]],
            probe: .graph(path: "security/threatSubmission/emailThreats", query: top1, version: .beta, proves: true)),
    ]

    static let act: [RequiredPermission] = [
        RequiredPermission(
            "User.Read.All", component: .act, usedFor: "reading each target user before acting",
            alsoSatisfiedBy: [["User.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"]],
            probe: .graph(
                path: "users", query: top1 + [Q("$select", "id,userPrincipalName")], version: .v1, proves: true)),
        RequiredPermission(
            "GroupMember.Read.All", component: .act, usedFor: "a target's groups, for protected groups",
            alsoSatisfiedBy: [
                ["Group.Read.All"], ["Group.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"],
            ],
            probe: .graph(path: "groups", query: top1 + [Q("$select", "id")], version: .v1, proves: true)),
        RequiredPermission(
            "Mail.ReadWrite", component: .act, usedFor: "moving and deleting messages",
            probe: .graph(
                path: "users/{mailbox}/mailFolders/inbox/messages", query: top1 + [Q("$select", "id")], version: .v1,
                proves: false)),
        RequiredPermission(
            "MailboxSettings.ReadWrite", component: .act, usedFor: "removing inbox rules",
            probe: .graph(
                path: "users/{mailbox}/mailFolders/inbox/messageRules", query: [], version: .v1, proves: false)),
        RequiredPermission(
            "User.EnableDisableAccount.All", component: .act, usedFor: "disabling accounts",
            alsoSatisfiedBy: [["User.ReadWrite.All"], ["Directory.ReadWrite.All"]], probe: nil),
        RequiredPermission(
            "User.RevokeSessions.All", component: .act, usedFor: "revoking sign-in sessions",
            alsoSatisfiedBy: [["User.ReadWrite.All"], ["Directory.ReadWrite.All"]], probe: nil),
        RequiredPermission(
            "User-PasswordProfile.ReadWrite.All", component: .act, usedFor: "forcing a password change",
            alsoSatisfiedBy: [["User.ReadWrite.All"]], probe: nil),
        RequiredPermission(
            "IdentityRiskyUser.ReadWrite.All", component: .act, usedFor: "confirming users compromised",
            probe: .graph(path: "identityProtection/riskyUsers", query: top1, version: .v1, proves: false)),
        RequiredPermission("Mail.Send", component: .act, usedFor: "warning mail to users", probe: nil),
    ]
}
