import Events
import Foundation

/// The state of one ``TenantDiagnostics`` run: the tokens got, the answers of harmless calls
/// (each made once, whichever permissions share it), and the checks so far.
struct DiagnosticRun {
    let settings: TenantDiagnostics
    private(set) var checks: [DiagnosticCheck] = []
    private var tokens: [TokenKey: Result<AccessToken, TokenError>] = [:]
    private var probes: [String: Result<JSONValue, GraphError>] = [:]
    private var subscriptions: Result<[ManagementSubscription], ManagementError>?
    /// A mailbox each app could list, for the mailbox probes.
    private var mailboxes: [String: String] = [:]

    struct TokenKey: Hashable {
        var app: String
        var api: RequiredPermission.API
    }

    init(settings: TenantDiagnostics) { self.settings = settings }

    private var tenant: String { settings.tenantId }

    private mutating func add(
        _ check: String, _ component: String, _ result: DiagnosticCheck.Result, _ detail: String, fix: String? = nil
    ) {
        checks.append(
            DiagnosticCheck(
                tenant: tenant, check: check, component: component, result: result, detail: detail, fix: fix))
    }

    private func app(for component: InboxwatchComponent) -> DiagnosedApp? {
        component == .act ? settings.actions : settings.collector
    }

    // MARK: Tokens

    /// One token per app and API the configured components use.
    mutating func tokens() async {
        var wanted: [(DiagnosedApp?, String, RequiredPermission.API, String)] = []
        let components = settings.components
        if components.contains(.audit) { wanted.append((settings.collector, "collector app", .management, "audit")) }
        if components.contains(.mail) { wanted.append((settings.collector, "collector app", .graph, "mail")) }
        if components.contains(.act) { wanted.append((settings.actions, "action app", .graph, "act")) }
        for (app, name, api, component) in wanted {
            let check = "token \(api.displayName) (\(name))"
            guard let app else {
                add(
                    check, component, .skip,
                    "no credentials for the \(name) were given, so its token and permissions are not checked",
                    fix: "pass --action-client-id with --action-client-secret-file (or -env, or a certificate)")
                continue
            }
            let scope = api == .graph ? settings.endpoints.graphScope : settings.endpoints.managementScope
            let result: Result<AccessToken, TokenError>
            do {
                result = .success(try await app.tokens.token(tenantId: tenant, scope: scope))
            } catch {
                result = .failure(error)
            }
            tokens[TokenKey(app: app.name, api: api)] = result
            switch result {
            case .success(let token):
                let minutes = Int(token.expiresAt.timeIntervalSince(settings.clock.now()) / 60)
                let roles =
                    AccessTokenClaims.decode(token.value).map { claims in
                        claims.roles.isEmpty
                            ? "no application permissions in its roles"
                            : "roles: \(claims.roles.sorted().joined(separator: ", "))"
                    } ?? "its roles cannot be read (not a JWT); the calls below decide"
                add(check, component, .pass, "issued for \(scope), valid \(minutes) min; \(roles)")
            case .failure(let error):
                let advice = TokenFailureAdvice.explain(
                    error, appName: name, clientId: app.clientId, tenantId: tenant)
                add(check, component, .fail, "\(advice.meaning): \(error.message)", fix: advice.fix)
            }
        }
    }

    // MARK: Permissions

    mutating func permissions(of component: InboxwatchComponent) async {
        let required = PermissionCatalog.required(for: component, contentTypes: settings.contentTypes)
        guard !required.isEmpty else { return }
        guard let app = app(for: component) else { return }  // the token check already said why
        for permission in required {
            let check = "permission \(permission.name)"
            let token: AccessToken
            switch tokens[TokenKey(app: app.name, api: permission.api)] {
            case .success(let got)?: token = got
            default:
                add(
                    check, component.rawValue, .skip,
                    "no \(permission.api.displayName) token for the \(app.name) (see its token check)")
                continue
            }
            let roles = AccessTokenClaims.decode(token.value)?.roles
            let probe = await probe(permission, app: app)
            let verdict = PermissionEvidence.judge(permission, roles: roles, probe: probe)
            var detail = "\(verdict.detail) (for \(permission.usedFor))"
            if let mailbox = settings.mailbox ?? mailboxes[app.name] {
                detail = detail.replacingOccurrences(of: "{mailbox}", with: mailbox)
            }
            add(
                check, component.rawValue, verdict.result, detail,
                fix: verdict.grantIsFix ? permission.grantFix(appName: app.name, clientId: app.clientId) : nil)
        }
    }

    private mutating func probe(_ permission: RequiredPermission, app: DiagnosedApp) async
        -> PermissionEvidence.ProbeOutcome
    {
        switch permission.probe {
        case nil:
            return .notRun(nil)
        case .managementSubscriptions:
            switch await subscriptionList() {
            case .success: return .succeeded
            case .failure(let error) where error.code == .missingPermission || error.httpStatus == 403:
                return .forbidden(error.message)
            case .failure(let error): return .inconclusive(error.description)
            }
        case .graph(let template, let query, let version, _):
            var path = template
            if template.contains("{mailbox}") {
                guard let mailbox = settings.mailbox ?? mailboxes[app.name] else {
                    return .notRun("no mailbox to read (the app could not list users; give --mailbox)")
                }
                path = template.replacingOccurrences(of: "{mailbox}", with: mailbox)
            }
            let pairs = query.map { ($0.name, $0.value) }
            let key = "\(app.name) \(version.rawValue) \(path) \(pairs)"
            let result: Result<JSONValue, GraphError>
            if let cached = probes[key] {
                result = cached
            } else {
                do {
                    result = .success(try await settings.graph(app).get(path, query: pairs, version: version))
                } catch {
                    result = .failure(error)
                }
                probes[key] = result
            }
            switch result {
            case .success(let body):
                if template == "users", case .array(let users)? = body["value"],
                    let first = users.first?["userPrincipalName"]?.stringValue ?? users.first?["id"]?.stringValue
                {
                    mailboxes[app.name] = mailboxes[app.name] ?? first
                }
                if template == "auditLogs/signIns" { probes["newest sign-in"] = result }
                return .succeeded
            case .failure(let error) where error.code == .forbidden:
                return .forbidden("\(error.graphCode.map { "\($0): " } ?? "")\(error.message)")
            case .failure(let error) where error.code == .notFound && template.contains("{mailbox}"):
                return .inconclusive("mailbox \(path.split(separator: "/")[1]) not found or not mail-enabled")
            case .failure(let error):
                return .inconclusive(error.description)
            }
        }
    }

    private mutating func subscriptionList() async -> Result<[ManagementSubscription], ManagementError> {
        if let subscriptions { return subscriptions }
        guard let collector = settings.collector else {
            return .failure(ManagementError(code: .authentication, message: "no collector app"))
        }
        let result: Result<[ManagementSubscription], ManagementError>
        do {
            result = .success(try await settings.management(collector).listSubscriptions())
        } catch {
            result = .failure(error)
        }
        subscriptions = result
        return result
    }

    // MARK: Subscriptions and content

    mutating func subscriptionsAndContent() async {
        guard let collector = settings.collector,
            case .success? = tokens[TokenKey(app: collector.name, api: .management)]
        else { return }  // the token check failed and says why
        let listed: [ManagementSubscription]
        switch await subscriptionList() {
        case .success(let list): listed = list
        case .failure(let error) where error.code == .missingPermission || error.httpStatus == 403:
            add("subscriptions", "audit", .skip, "the Management API refused to list them (see ActivityFeed.Read)")
            return
        case .failure(let error):
            add(
                "subscriptions", "audit", .fail, "subscriptions/list failed: \(error)",
                fix: "retry; if it persists, check the network and Microsoft 365 service health")
            return
        }
        let feed = settings.endpoints.managementFeed(tenantId: tenant)
        let publisher = settings.publisherIdentifier ?? tenant
        for type in settings.contentTypes {
            let check = "subscription \(type)"
            let start =
                "POST \(feed)/subscriptions/start?contentType=\(type)&PublisherIdentifier=\(publisher) "
                + "with a Management API token of the collector app"
            guard let subscription = listed.first(where: { $0.contentType == type }) else {
                add(
                    check, "audit", .warn, "never started: Microsoft keeps no \(type) content for this tenant yet",
                    fix: "`inboxwatch collect audit` starts it when it starts (or \(start)); the first content can "
                        + "take up to 12 hours to appear")
                continue
            }
            guard subscription.isEnabled else {
                add(
                    check, "audit", .fail,
                    "stopped (status \(subscription.status)): no new \(type) content reaches Inboxwatch",
                    fix: "start it: \(start); or restart `inboxwatch collect audit`, which starts the subscription of "
                        + "every content type it collects when it starts")
                continue
            }
            add(check, "audit", .pass, "enabled")
            await newestContent(type, client: settings.management(collector))
        }
    }

    /// The newest blob published in the last 24 hours, looking at the most recent hour first so a
    /// busy tenant costs one listing.
    private mutating func newestContent(_ type: AuditContentType, client: ManagementActivityClient) async {
        let check = "newest content \(type)"
        let now = settings.clock.now()
        let bounds: [TimeInterval] = [0, 3600, 6 * 3600, 24 * 3600 - 60]
        for index in 0..<(bounds.count - 1) {
            let window = AuditWindow(
                start: now.addingTimeInterval(-bounds[index + 1]), end: now.addingTimeInterval(-bounds[index]))
            let blobs: [ContentBlobReference]
            do {
                blobs = try await client.listContent(contentType: type, window: window)
            } catch {
                add(
                    check, "audit", .warn, "the content listing failed: \(error)",
                    fix: "retry later; throttling (AF429) and AF50000 pass")
                return
            }
            guard let newest = blobs.compactMap(\.contentCreated).max() else { continue }
            let age = now.timeIntervalSince(newest)
            if age <= settings.staleAfter {
                add(check, "audit", .pass, "published \(DiagnosticTime.age(age)) ago")
            } else {
                add(
                    check, "audit", .warn,
                    "the newest blob was published \(DiagnosticTime.age(age)) ago (Microsoft's lag is normally "
                        + "under an hour, at times several)",
                    fix: "if it stays old, check that auditing is on (Purview → Audit) and Microsoft 365 service health"
                )
            }
            return
        }
        add(
            check, "audit", .warn, "no content published in the last 24 hours",
            fix: "normal right after a subscription starts (up to 12 hours) or in a quiet tenant; otherwise check that "
                + "auditing is on (Purview → Audit, or Get-AdminAuditLogConfig UnifiedAuditLogIngestionEnabled)")
    }

    // MARK: Sign-ins

    /// The newest sign-in Graph lists, from the AuditLog.Read.All call made for the permissions.
    mutating func newestSignIn() {
        guard case .success(let body)? = probes["newest sign-in"] else { return }  // its permission check says why
        let check = "newest sign-in"
        guard case .array(let items)? = body["value"],
            let newest = items.compactMap({ $0["createdDateTime"]?.stringValue.flatMap(M365Time.parseISO) }).max()
        else {
            add(
                check, "mail", .warn, "Graph lists no sign-in",
                fix: "normal in a new or unused tenant; sign-in logs need Entra ID P1 or P2")
            return
        }
        let age = settings.clock.now().timeIntervalSince(newest)
        if age <= settings.staleAfter {
            add(check, "mail", .pass, "\(DiagnosticTime.age(age)) ago")
        } else {
            add(
                check, "mail", .warn, "the newest sign-in Graph lists is \(DiagnosticTime.age(age)) old",
                fix: "normal in a quiet tenant; otherwise check Microsoft 365 service health")
        }
    }
}
