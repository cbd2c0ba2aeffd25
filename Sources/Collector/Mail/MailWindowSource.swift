public import Events
public import Foundation
public import M365

/// A Graph collection the mail collector lists by time window: what it is called in
/// checkpoints, which permission it needs, and how long Graph keeps it.
public enum MailWindowSource: String, Sendable, Hashable, CaseIterable {
    /// `auditLogs/signIns` by `createdDateTime`.
    case signIns
    /// `identityProtection/riskyUsers` by `riskLastUpdatedDateTime`: a user whose risk changes
    /// is listed again, with new content, so it is published again.
    case riskyUsers
    /// `security/threatSubmission/emailThreats` (beta) by `createdDateTime`.
    case threatSubmissions
    /// `security/alerts_v2` by `lastUpdateDateTime`, so an alert that changes is published again.
    case alerts

    /// The checkpoint key's source part: `mail/signIns`.
    public var checkpointSource: String { "mail/\(rawValue)" }

    public var resourceKind: RawMailEnvelope.ResourceKind {
        switch self {
        case .signIns: .signIn
        case .riskyUsers: .riskyUser
        case .threatSubmissions: .threatSubmission
        case .alerts: .alert
        }
    }

    /// The Graph collection, relative to the version.
    public var path: String {
        switch self {
        case .signIns: "auditLogs/signIns"
        case .riskyUsers: "identityProtection/riskyUsers"
        case .threatSubmissions: "security/threatSubmission/emailThreats"
        case .alerts: "security/alerts_v2"
        }
    }

    /// The time the window is measured on, and each item's event time.
    public var timeProperty: String {
        switch self {
        case .signIns, .threatSubmissions: "createdDateTime"
        case .riskyUsers: "riskLastUpdatedDateTime"
        case .alerts: "lastUpdateDateTime"
        }
    }

    /// Submissions are served by the beta endpoint only.
    public var version: GraphVersion { self == .threatSubmissions ? .beta : .v1 }

    /// The application permission the read needs, named when Graph answers 403.
    public var permission: String {
        switch self {
        case .signIns: "AuditLog.Read.All"
        case .riskyUsers: "IdentityRiskyUser.Read.All"
        case .threatSubmissions: "ThreatSubmission.Read.All"
        case .alerts: "SecurityAlert.Read.All"
        }
    }

    /// How long Graph keeps the items, so a window never starts earlier than that; nil when
    /// the collection is a current state rather than a log (risky users).
    public var retention: TimeInterval? {
        switch self {
        // Entra ID keeps sign-ins 30 days with P1/P2 (7 without); submissions are kept 30 days.
        case .signIns, .threatSubmissions: MailCollectionPolicy.maximumLookback
        // Defender XDR keeps alerts 180 days.
        case .alerts: 180 * 24 * 3600
        case .riskyUsers: nil
        }
    }
}
