/// One application permission a component needs, where it is granted, and how to see without
/// side effects whether the app has it.
public struct RequiredPermission: Sendable, Hashable {
    /// The API a permission belongs to, as the Entra admin center lists it under
    /// "API permissions → Add a permission".
    public enum API: String, Sendable, Hashable, Codable {
        case graph
        case management

        /// The name the portal shows.
        public var displayName: String {
            switch self {
            case .graph: "Microsoft Graph"
            case .management: "Office 365 Management APIs"
            }
        }
    }

    /// How to confirm the permission by calling the API.
    public enum Probe: Sendable, Hashable {
        /// A GET on Graph. `path` may contain `{mailbox}`, replaced by a mailbox to read.
        /// `proves` is false when the call needs only part of the permission (a GET needs the
        /// read half of `Mail.ReadWrite`): then success shows the way is open, not the grant.
        case graph(path: String, query: [QueryItem], version: GraphVersion, proves: Bool)
        /// `subscriptions/list` on the Management Activity API.
        case managementSubscriptions
    }

    /// A query parameter of a probe (`$top=1`).
    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The least-privileged permission, the one a fix asks to grant.
    public var name: String
    public var api: API
    public var component: InboxwatchComponent
    /// What the component does with it, for the report.
    public var usedFor: String
    /// Role sets any one of which is enough (the first is `[name]`); broader permissions such as
    /// `Mail.ReadWrite` for `Mail.Read` count, as they do for Graph.
    public var satisfiedBy: [Set<String>]
    /// The harmless call that confirms it, or nil when none exists (write-only permissions).
    public var probe: Probe?

    public init(
        _ name: String, api: API = .graph, component: InboxwatchComponent, usedFor: String,
        alsoSatisfiedBy: [Set<String>] = [], probe: Probe?
    ) {
        self.name = name
        self.api = api
        self.component = component
        self.usedFor = usedFor
        self.satisfiedBy = [[name]] + alsoSatisfiedBy
        self.probe = probe
    }

    /// Whether `roles` grant it.
    public func isGranted(by roles: Set<String>) -> Bool { satisfiedBy.contains { $0.isSubset(of: roles) } }

    /// A probe's path and query as the report shows it: `GET identityProtection/riskyUsers?$top=1`.
    public var probeDescription: String? {
        switch probe {
        case .graph(let path, let query, let version, _):
            let prefix = version == .v1 ? "" : "\(version.rawValue)/"
            let queryText = query.isEmpty ? "" : "?" + query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            return "GET \(prefix)\(path)\(queryText)"
        case .managementSubscriptions: return "GET subscriptions/list"
        case nil: return nil
        }
    }

    /// Where to grant it, step by step, for the app `clientId`.
    public func grantFix(appName: String, clientId: String) -> String {
        "grant the \(appName) (client id \(clientId)) the \(api.displayName) application permission \(name): "
            + "Entra admin center → Identity → Applications → App registrations → the app → API permissions → "
            + "Add a permission → \(api.displayName) → Application permissions → \(name) → Add permissions, "
            + "then Grant admin consent for the tenant"
    }
}
