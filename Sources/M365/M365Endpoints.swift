/// Where the Microsoft services live. Every base URL is configuration, because the
/// national clouds (GCC High, DoD, China) and the tenant simulator use other hosts;
/// the defaults are the commercial cloud.
public struct M365Endpoints: Sendable, Hashable {
    /// Entra ID's authority host, without a tenant: `https://login.microsoftonline.com`.
    public var loginBase: String
    /// Graph's host without a version: `https://graph.microsoft.com`.
    public var graphBase: String
    /// The Management Activity API's host: `https://manage.office.com`.
    public var managementBase: String
    /// The resource Graph tokens are requested for (`<resource>/.default`). In the national
    /// clouds it differs from the commercial one just as the host does.
    public var graphResource: String
    /// The resource Management Activity API tokens are requested for.
    public var managementResource: String

    public init(
        loginBase: String = "https://login.microsoftonline.com",
        graphBase: String = "https://graph.microsoft.com",
        managementBase: String = "https://manage.office.com",
        graphResource: String = "https://graph.microsoft.com",
        managementResource: String = "https://manage.office.com"
    ) {
        self.loginBase = Self.trimmed(loginBase)
        self.graphBase = Self.trimmed(graphBase)
        self.managementBase = Self.trimmed(managementBase)
        self.graphResource = Self.trimmed(graphResource)
        self.managementResource = Self.trimmed(managementResource)
    }

    /// The commercial (worldwide) cloud.
    public static let commercial = M365Endpoints()

    /// The tenant simulator: one base URL serves the token endpoint, Graph and the
    /// Management API. Tokens are still requested for the real resource names, because
    /// the simulator issues them under those names as Entra ID does.
    public static func simulator(baseURL: String) -> M365Endpoints {
        M365Endpoints(loginBase: baseURL, graphBase: baseURL, managementBase: baseURL)
    }

    /// The scope of an app-only Graph token.
    public var graphScope: String { graphResource + "/.default" }
    /// The scope of an app-only Management Activity API token.
    public var managementScope: String { managementResource + "/.default" }

    /// `{loginBase}/{tenant}/oauth2/v2.0/token`; also the `aud` of a client assertion.
    public func tokenEndpoint(tenantId: String) -> String {
        "\(loginBase)/\(URLPath.segment(tenantId))/oauth2/v2.0/token"
    }

    /// `{managementBase}/api/v1.0/{tenant}/activity/feed`.
    public func managementFeed(tenantId: String) -> String {
        "\(managementBase)/api/v1.0/\(URLPath.segment(tenantId))/activity/feed"
    }

    // A trailing slash would double up when paths are appended.
    private static func trimmed(_ url: String) -> String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
