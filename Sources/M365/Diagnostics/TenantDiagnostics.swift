public import Foundation
public import HTTP
public import Logging

/// Checks one tenant the way a new user needs before trusting Inboxwatch with it: a token per
/// app and scope, every permission each configured component needs (token roles and a harmless
/// call), the Management Activity subscriptions, and how recent the newest content and sign-in
/// are. It only reads: no subscription is started, nothing is written.
public struct TenantDiagnostics: Sendable {
    public var tenantId: String
    public var endpoints: M365Endpoints
    public var publisherIdentifier: String?
    public var http: HTTPClient
    /// The collectors' app; nil when neither collector is configured.
    public var collector: DiagnosedApp?
    /// The action worker's app; nil when no credentials for it were given.
    public var actions: DiagnosedApp?
    public var components: Set<InboxwatchComponent>
    /// The audit collector's content types.
    public var contentTypes: [AuditContentType]
    /// A mailbox to read for the mailbox permissions; by default the first user listed.
    public var mailbox: String?
    /// Newest content or sign-in older than this is a warning. Microsoft publishes audit content
    /// up to hours late, so this should be hours.
    public var staleAfter: TimeInterval
    public var clock: M365Clock
    public var logger: Logger

    public init(
        tenantId: String, endpoints: M365Endpoints, publisherIdentifier: String? = nil, http: HTTPClient,
        collector: DiagnosedApp?, actions: DiagnosedApp?, components: Set<InboxwatchComponent>,
        contentTypes: [AuditContentType], mailbox: String? = nil, staleAfter: TimeInterval = 6 * 3600,
        clock: M365Clock = .system, logger: Logger
    ) {
        self.tenantId = tenantId
        self.endpoints = endpoints
        self.publisherIdentifier = publisherIdentifier
        self.http = http
        self.collector = collector
        self.actions = actions
        self.components = components
        self.contentTypes = contentTypes
        self.mailbox = mailbox
        self.staleAfter = staleAfter
        self.clock = clock
        self.logger = logger
    }

    /// Runs every check that applies, in report order.
    public func run() async -> [DiagnosticCheck] {
        var run = DiagnosticRun(settings: self)
        await run.tokens()
        for component in components.sorted() { await run.permissions(of: component) }
        if components.contains(.audit) { await run.subscriptionsAndContent() }
        if components.contains(.mail) { run.newestSignIn() }
        return run.checks
    }

    func management(_ app: DiagnosedApp) -> ManagementActivityClient {
        ManagementActivityClient(
            tenantId: tenantId, tokens: app.tokens, http: http, endpoints: endpoints,
            publisherIdentifier: publisherIdentifier, clock: clock, logger: logger)
    }

    func graph(_ app: DiagnosedApp) -> GraphClient {
        GraphClient(
            tenantId: tenantId, tokens: app.tokens, http: http, endpoints: endpoints, clock: clock, logger: logger)
    }
}
