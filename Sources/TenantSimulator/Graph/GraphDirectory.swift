import Events
import Foundation

/// `users`, `domains` and the account actions (disable, force a password change, revoke sessions).
extension GraphAPI {
    // MARK: Users

    func listUsers(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readUsers)
        let paging = try offsetRequest(kind: "users", call, maxTop: 999)
        let users = self.users
        let now = call.now
        let filter = try SplitFilter.parse(paging.filterText, timeProperties: [], refusal: .directory) { clause in
            switch clause.property.lowercased() {
            case "id": SplitFilter.stringComparison(clause) { users[$0].id }
            case "userprincipalname", "mail": SplitFilter.stringComparison(clause) { users[$0].userPrincipalName }
            case "displayname": SplitFilter.stringComparison(clause) { users[$0].displayName }
            case "department": SplitFilter.stringComparison(clause) { users[$0].department }
            case "jobtitle": SplitFilter.stringComparison(clause) { users[$0].jobTitle }
            case "accountenabled": SplitFilter.boolComparison(clause) { isEnabled(users[$0], state, at: now) }
            default: nil
            }
        }
        let manager = try managerExpansion(call)
        let visible = users.indices.filter { users[$0].createdAt <= now && filter.matches($0) }
        let (range, nextLink) = offsetSlice(paging, count: visible.count, path: "/users", call)
        let values = visible[range].map { renderExpandedUser(users[$0], state, call, manager: manager) }
        return collection(call, context: "users", values, nextLink: nextLink)
    }

    func getUser(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readUsers)
        let manager = try managerExpansion(call)
        let user = try directoryUser(call)
        return entity(call, context: "users/$entity", renderExpandedUser(user, state, call, manager: manager))
    }

    // MARK: Managers

    /// How deep and with which properties `$expand=manager` asks for managers.
    struct ManagerExpansion {
        /// 1 for the immediate manager; `$levels=max` reads as 1000.
        var levels: Int
        var select: Set<String>?
    }

    /// `$expand=manager`, `manager($select=id,displayName)`, `manager($levels=max)`; `nil` without `$expand`.
    /// Users have no other expandable relationship here.
    func managerExpansion(_ call: GraphCall) throws(GraphFailure) -> ManagerExpansion? {
        var found: ManagerExpansion?
        for expansion in try call.expansions() {
            guard expansion.path.lowercased() == "manager" else {
                throw Expansion.unknownProperty(expansion.path, on: "user")
            }
            var levels = 1
            if let text = expansion.levels {
                if text.lowercased() == "max" {
                    levels = 1000
                } else if let number = Int(text), (1...1000).contains(number) {
                    levels = number
                } else {
                    throw GraphFailure(
                        GraphError.response(
                            400, "Request_BadRequest", "Invalid value '\(text)' for $levels: use 1 to 1000 or max."))
                }
            }
            found = ManagerExpansion(levels: levels, select: expansion.select)
        }
        return found
    }

    /// `GET users/{id}/manager`: the manager as a `directoryObject` (a user); 404 when none.
    func getManager(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readUsers)
        let user = try directoryUser(call)
        guard let managerId = user.managerId, let index = userIndexById[managerId], users[index].createdAt <= call.now
        else { throw GraphFailure(GraphError.resourceNotFound("manager")) }
        return entity(
            call, context: "directoryObjects/$entity",
            call.project(renderManager(users[index], state, now: call.now, select: nil, levels: 0)))
    }

    /// A user as a list or a single read shows it: `$select` applied, then the manager
    /// chain when `$expand=manager` asks (an expanded relationship is there whatever
    /// `$select` says; absent when the user has no manager).
    func renderExpandedUser(_ user: SimulatedUser, _ state: TenantState, _ call: GraphCall, manager: ManagerExpansion?)
        -> OrderedJSON
    {
        var json = call.project(renderUser(user, state, now: call.now))
        if case .object(let members) = json { json = .object(members + selectedOnly(user, state, call)) }
        guard let manager, case .object(var members) = json,
            let rendered = managerChain(of: user, state, now: call.now, select: manager.select, levels: manager.levels)
        else { return json }
        members.append(.init("manager", rendered))
        return .object(members)
    }

    private func managerChain(
        of user: SimulatedUser, _ state: TenantState, now: Date, select: Set<String>?, levels: Int
    ) -> OrderedJSON? {
        guard levels > 0, let managerId = user.managerId, let index = userIndexById[managerId],
            users[index].createdAt <= now
        else { return nil }
        return renderManager(users[index], state, now: now, select: select, levels: levels - 1)
    }

    /// A manager as a `directoryObject`: `@odata.type` first, then the user, then (while
    /// `levels` remain) their own manager.
    private func renderManager(
        _ manager: SimulatedUser, _ state: TenantState, now: Date, select: Set<String>?, levels: Int
    ) -> OrderedJSON {
        guard case .object(let properties) = GraphCall.project(renderUser(manager, state, now: now), select: select)
        else { return .null }
        var members = [OrderedJSON.Member("@odata.type", .string("#microsoft.graph.user"))] + properties
        if let next = managerChain(of: manager, state, now: now, select: select, levels: levels) {
            members.append(.init("manager", next))
        }
        return .object(members)
    }

    /// Properties Graph returns only when `$select` names them: `signInSessionsValidFromDateTime`
    /// (the last `revokeSignInSessions`, else when the user was created) and `passwordProfile`
    /// (null, or `forceChangePasswordNextSignIn` true once a change is required; never the password).
    private func selectedOnly(_ user: SimulatedUser, _ state: TenantState, _ call: GraphCall) -> [OrderedJSON.Member] {
        guard let select = call.select else { return [] }
        var members: [OrderedJSON.Member] = []
        if select.contains("signinsessionsvalidfromdatetime") {
            let revoked = (state.revokedSessions[user.id] ?? []).filter { $0 <= call.now }.max()
            members.append(
                .init("signInSessionsValidFromDateTime", .string(SimTime.graphTime(revoked ?? user.createdAt))))
        }
        if select.contains("passwordprofile") {
            // Null until an administrator requires a change, as Entra shows it.
            let required = state.passwordChangeRequired[user.id].map { $0 <= call.now } ?? false
            let profile: OrderedJSON = .object([
                "forceChangePasswordNextSignIn": .bool(true),
                "forceChangePasswordNextSignInWithMfa": .bool(false),
                "password": .null,
            ])
            members.append(.init("passwordProfile", required ? profile : .null))
        }
        return members
    }

    /// A shared mailbox is never enabled for sign-in; anyone else is until disabled.
    func isEnabled(_ user: SimulatedUser, _ state: TenantState, at now: Date) -> Bool {
        !user.isSharedMailbox && !state.isDisabled(user.id, at: now)
    }

    func renderUser(_ user: SimulatedUser, _ state: TenantState, now: Date) -> OrderedJSON {
        let names = user.displayName.split(separator: " ", maxSplits: 1).map(String.init)
        func optional(_ text: String) -> OrderedJSON { text.isEmpty ? .null : .string(text) }
        return .object([
            "businessPhones": .array([]),
            "displayName": .string(user.displayName),
            "givenName": user.isSharedMailbox ? .null : names.first.map(OrderedJSON.string) ?? .null,
            "jobTitle": optional(user.jobTitle),
            "mail": .string(user.userPrincipalName),
            "mobilePhone": .null,
            "officeLocation": .string(user.home.city),
            "preferredLanguage": .string(Self.locale(of: user).tag),
            "surname": names.count > 1 && !user.isSharedMailbox ? .string(names[1]) : .null,
            "userPrincipalName": .string(user.userPrincipalName),
            "id": .string(user.id),
            "accountEnabled": .bool(isEnabled(user, state, at: now)),
            "department": optional(user.department),
            "createdDateTime": .string(SimTime.graphTime(user.createdAt)),
            "usageLocation": .string(user.home.countryOrRegion),
        ])
    }

    /// `PATCH users/{id}`: `accountEnabled` and `passwordProfile.forceChangePasswordNextSignIn*` only.
    func updateUser(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        recordingWrite(.patchUser, call, &state) {
            state throws(GraphFailure) in
            let body: [String: JSONValue]
            switch GraphSupport.body(call.request) {
            case .empty: throw GraphFailure(GraphError.emptyPayload)
            case .invalid: throw GraphFailure(GraphError.invalidJSON)
            case .value(.object(let members)): body = members
            case .value: throw GraphFailure(GraphError.response(400, "BadRequest", "A JSON object was expected."))
            }
            var accountEnabled: Bool?
            var forceChange: Bool?
            var permissions: [GraphPermission] = []
            for (property, value) in body.sorted(by: { $0.key < $1.key }) {
                switch property {
                case "accountEnabled":
                    guard case .bool(let enabled) = value else { throw Self.invalidValue(property) }
                    accountEnabled = enabled
                    permissions.append(.enableDisableAccount)
                case "passwordProfile":
                    guard case .object(let profile) = value else { throw Self.invalidValue(property) }
                    for (name, setting) in profile.sorted(by: { $0.key < $1.key }) {
                        guard name == "forceChangePasswordNextSignIn" || name == "forceChangePasswordNextSignInWithMfa",
                            case .bool(let flag) = setting
                        else {
                            throw GraphFailure(
                                GraphError.response(
                                    400, "Request_BadRequest",
                                    "Updating 'passwordProfile.\(name)' is not supported by the simulated tenant."))
                        }
                        if name == "forceChangePasswordNextSignIn" || flag {
                            forceChange = (forceChange ?? false) || flag
                        }
                    }
                    permissions.append(.passwordProfile)
                default:
                    throw GraphFailure(
                        GraphError.response(
                            400, "Request_BadRequest",
                            "Updating property '\(property)' is not supported by the simulated tenant."))
                }
            }
            if permissions.isEmpty {
                permissions.append(
                    GraphPermission(alternatives: [
                        ["User.ReadWrite.All"], ["Directory.ReadWrite.All"], ["User.EnableDisableAccount.All"],
                        ["User-PasswordProfile.ReadWrite.All"],
                    ]))
            }
            for permission in permissions { try call.require(permission) }
            let user = try directoryUser(call)
            switch accountEnabled {
            case false?:
                if state.disabledAccounts[user.id] == nil { state.disabledAccounts[user.id] = call.now }
            case true?:
                state.disabledAccounts[user.id] = nil
            case nil:
                break
            }
            switch forceChange {
            case true?:
                if state.passwordChangeRequired[user.id] == nil { state.passwordChangeRequired[user.id] = call.now }
            case false?:
                state.passwordChangeRequired[user.id] = nil
            case nil:
                break
            }
            return .noContent()
        }
    }

    private static func invalidValue(_ property: String) -> GraphFailure {
        GraphFailure(
            GraphError.response(
                400, "Request_BadRequest", "Invalid value specified for property '\(property)' of resource 'User'."))
    }

    /// `POST users/{id}/revokeSignInSessions` → 200 `{"value":true}`.
    func revokeSignInSessions(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        recordingWrite(.revokeSignInSessions, call, &state) {
            state throws(GraphFailure) in
            try call.require(.revokeSessions)
            let user = try directoryUser(call)
            state.revokedSessions[user.id, default: []].append(call.now)
            return .json(200, .object(["@odata.context": context(call, "Edm.Boolean"), "value": .bool(true)]))
        }
    }

    // MARK: Domains

    func listDomains(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readDomains)
        let values = world.directory.domains.map { call.project(renderDomain($0)) }
        return collection(call, context: "domains", values, nextLink: nil)
    }

    func getDomain(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readDomains)
        let name = call.parameters["domain"] ?? ""
        guard
            let domain = world.directory.domains.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame })
        else { throw GraphFailure(GraphError.resourceNotFound(name)) }
        return entity(call, context: "domains/$entity", call.project(renderDomain(domain)))
    }

    func renderDomain(_ domain: AcceptedDomain) -> OrderedJSON {
        .object([
            "authenticationType": .string("Managed"),
            "availabilityStatus": .null,
            "id": .string(domain.name),
            "isAdminManaged": .bool(true),
            "isDefault": .bool(domain.isDefault),
            "isInitial": .bool(domain.isInitial),
            "isRoot": .bool(true),
            "isVerified": .bool(true),
            "supportedServices": .strings(["Email"]),
            "passwordValidityPeriodInDays": .int(2_147_483_647),
            "passwordNotificationWindowInDays": .int(14),
            "state": .null,
        ])
    }

    // MARK: Locale

    /// The language and time zone of a user's mailbox, from where they live.
    static func locale(of user: SimulatedUser) -> (tag: String, language: String, timeZone: String) {
        switch (user.home.countryOrRegion, user.home.city) {
        case ("GB", _): ("en-GB", "English (United Kingdom)", "GMT Standard Time")
        case ("DE", _): ("de-DE", "German (Germany)", "W. Europe Standard Time")
        case ("US", "Seattle"): ("en-US", "English (United States)", "Pacific Standard Time")
        case ("US", "Chicago"): ("en-US", "English (United States)", "Central Standard Time")
        case ("US", _): ("en-US", "English (United States)", "Eastern Standard Time")
        default: ("en-US", "English (United States)", "UTC")
        }
    }
}
