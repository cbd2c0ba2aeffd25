/// An application permission the simulated tenant's administrator has not granted one of its
/// apps, so that the app's tokens lack the role and the endpoints that need it answer 403 — the
/// most common reason a new installation does not work, and what `inboxwatch doctor` must find.
///
/// Spelled `APP:ROLE` on the command line, e.g. `collector:IdentityRiskyUser.Read.All` or
/// `actions:Mail.Send`.
public struct WithheldPermission: Sendable, Hashable, CustomStringConvertible {
    /// Which of the tenant's two app registrations.
    public enum App: String, Sendable, Hashable, CaseIterable {
        case collector
        case actions
    }

    public var app: App
    /// The app role as Entra names it, e.g. `IdentityRiskyUser.Read.All` (Graph) or
    /// `ActivityFeed.Read` (Management Activity API).
    public var role: String

    public init(app: App, role: String) {
        self.app = app
        self.role = role
    }

    /// Parses `APP:ROLE`; nil when it is not that shape or the app is unknown.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let app = App(rawValue: parts[0].lowercased()), !parts[1].isEmpty else { return nil }
        self.init(app: app, role: String(parts[1]))
    }

    public var description: String { "\(app.rawValue):\(role)" }
}

extension SimulatorApps {
    /// The app `which` names.
    public subscript(_ which: WithheldPermission.App) -> App {
        get {
            switch which {
            case .collector: collector
            case .actions: actions
            }
        }
        set {
            switch which {
            case .collector: collector = newValue
            case .actions: actions = newValue
            }
        }
    }

    /// Why `withheld` cannot be applied (the app is never granted that role), or nil.
    public static func problem(withholding withheld: WithheldPermission) -> String? {
        let granted =
            switch withheld.app {
            case .collector: collectorGraphRoles.union(collectorManagementRoles)
            case .actions: actionGraphRoles
            }
        guard granted.contains(withheld.role) else {
            return "the \(withheld.app.rawValue) app has no role \(withheld.role) to withhold; it has "
                + granted.sorted().joined(separator: ", ")
        }
        return nil
    }

    /// These apps with `withheld` removed from the granted roles.
    public func withholding(_ withheld: [WithheldPermission]) -> SimulatorApps {
        var apps = self
        for permission in withheld {
            apps[permission.app].graphRoles.remove(permission.role)
            apps[permission.app].managementRoles.remove(permission.role)
        }
        return apps
    }
}
