public import Foundation

/// The Microsoft Graph API of the simulated tenant, as a pure function from a
/// request (plus the write state and the simulator clock) to a response.
///
/// The caller has already checked the bearer token (validity, audience) and
/// applied throttling and injected faults; this checks the token's application
/// permissions per endpoint, reads the ``SimulatedWorld`` as it stands at `now`
/// (only what happened by then exists), combines it with the writes in
/// ``TenantState``, and renders Graph's JSON shapes deterministically.
///
/// Paths arrive as `/v1.0/...` or `/beta/...`; users are addressed by object id
/// or by user principal name (case-insensitively). Every write call is counted in
/// ``TenantState/writeCounts`` under one of the ``WriteEndpoint`` templates,
/// whatever it answers.
public struct GraphAPI: Sendable {
    public let world: SimulatedWorld
    /// `http://127.0.0.1:port`: what `/v1.0/...` is appended to in every link this API hands out.
    public let baseURL: String
    public let options: GraphOptions

    /// The templates under which write calls are counted.
    public enum WriteEndpoint {
        public static let moveMessage = "POST /users/{id}/messages/{id}/move"
        public static let deleteMessage = "DELETE /users/{id}/messages/{id}"
        public static let deleteRule = "DELETE /users/{id}/mailFolders/inbox/messageRules/{id}"
        public static let updateUser = "PATCH /users/{id}"
        public static let revokeSignInSessions = "POST /users/{id}/revokeSignInSessions"
        public static let confirmCompromised = "POST /identityProtection/riskyUsers/confirmCompromised"
        public static let sendMail = "POST /users/{id}/sendMail"
    }

    // Indices, built once: the timeline can hold 100k+ items.
    let users: [SimulatedUser]
    let userIndexById: [String: Int]
    let userIndexByName: [String: Int]
    let signIns: [SignInEvent]
    let signInTimes: TimeColumn
    let signInIndexById: [String: Int]
    let messages: [MailMessage]
    /// Per mailbox owner: indices into ``messages``, oldest first.
    let messagesByMailbox: [String: [Int]]
    let messageIndexById: [String: Int]
    let messageIndexByInternetId: [String: Int]
    let rulesByMailbox: [String: [InboxRule]]
    let ruleById: [String: InboxRule]
    let riskByUser: [String: [RiskyUserState]]
    /// Users with any risk history, in order of their first risk.
    let riskyUserOrder: [String]
    let alerts: [SecurityAlert]
    let alertTimes: TimeColumn
    let alertIndexById: [String: Int]
    let threats: [ThreatSubmission]
    let threatTimes: TimeColumn
    let threatIndexById: [String: Int]

    public init(world: SimulatedWorld, baseURL: String, options: GraphOptions = GraphOptions()) {
        self.world = world
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        for version in ["/v1.0", "/beta"] where base.lowercased().hasSuffix(version) {
            base.removeLast(version.count)
        }
        self.baseURL = base
        self.options = options

        let timeline = world.timeline
        users = world.directory.users
        var byId: [String: Int] = [:]
        var byName: [String: Int] = [:]
        for (index, user) in users.enumerated() {
            if byId[user.id] == nil { byId[user.id] = index }
            if byName[user.userPrincipalName.lowercased()] == nil {
                byName[user.userPrincipalName.lowercased()] = index
            }
        }
        userIndexById = byId
        userIndexByName = byName

        signIns = Self.sortedByTime(timeline.signIns, \.time)
        signInTimes = TimeColumn(signIns.map(\.time))
        signInIndexById = Self.firstIndices(signIns.map(\.id))

        messages = Self.sortedByTime(timeline.messages, \.receivedDateTime)
        var byMailbox: [String: [Int]] = [:]
        for (index, message) in messages.enumerated() { byMailbox[message.mailboxUserId, default: []].append(index) }
        messagesByMailbox = byMailbox
        messageIndexById = Self.firstIndices(messages.map(\.id))
        messageIndexByInternetId = Self.firstIndices(messages.map(\.internetMessageId))

        let rules = Self.sortedByTime(timeline.rules, \.createdAt)
        var rulesByMailbox: [String: [InboxRule]] = [:]
        var ruleById: [String: InboxRule] = [:]
        for rule in rules {
            rulesByMailbox[rule.mailboxUserId, default: []].append(rule)
            if ruleById[rule.id] == nil { ruleById[rule.id] = rule }
        }
        self.rulesByMailbox = rulesByMailbox.mapValues { list in
            list.stableSorted { $0.sequence < $1.sequence }
        }
        self.ruleById = ruleById

        var riskByUser: [String: [RiskyUserState]] = [:]
        var riskyUserOrder: [String] = []
        for risk in Self.sortedByTime(timeline.riskyUsers, \.since) {
            if riskByUser[risk.userId] == nil { riskyUserOrder.append(risk.userId) }
            riskByUser[risk.userId, default: []].append(risk)
        }
        self.riskByUser = riskByUser
        self.riskyUserOrder = riskyUserOrder

        alerts = Self.sortedByTime(timeline.alerts, \.createdAt)
        alertTimes = TimeColumn(alerts.map(\.createdAt))
        alertIndexById = Self.firstIndices(alerts.map(\.id))
        threats = Self.sortedByTime(timeline.threatSubmissions, \.createdAt)
        threatTimes = TimeColumn(threats.map(\.createdAt))
        threatIndexById = Self.firstIndices(threats.map(\.id))
    }

    /// The list itself when it is already in time order (the usual case), else a stable sort.
    private static func sortedByTime<T>(_ list: [T], _ time: (T) -> Date) -> [T] {
        var ordered = true
        for index in list.indices.dropFirst() where time(list[index]) < time(list[index - 1]) {
            ordered = false
            break
        }
        return ordered ? list : list.stableSorted { time($0) < time($1) }
    }

    private static func firstIndices(_ keys: [String]) -> [String: Int] {
        var out: [String: Int] = [:]
        out.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() where out[key] == nil { out[key] = index }
        return out
    }

    // MARK: Handling

    /// Answers one Graph request. `roles` are the application permissions in the token.
    public func handle(_ request: SimRequest, roles: Set<String>, state: inout TenantState, now: Date) -> SimResponse {
        let segments = GraphRouter.normalize(request.segments)
        guard let first = segments.first, ["v1.0", "beta"].contains(first.lowercased()) else {
            return GraphError.response(400, "BadRequest", "Invalid version: \(segments.first ?? "").")
        }
        let version = first.lowercased()
        switch GraphRouter.resolve(Array(segments.dropFirst()), method: request.method, beta: version == "beta") {
        case .unknownSegment(let segment):
            return GraphError.segmentNotFound(segment)
        case .methodNotAllowed:
            return GraphError.methodNotAllowed
        case .meWithoutDelegation:
            return GraphError.response(
                400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        case .route(let route, let parameters):
            let call = GraphCall(request: request, version: version, parameters: parameters, roles: roles, now: now)
            return dispatch(route, call, &state)
        }
    }

    private func dispatch(_ route: GraphRoute, _ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        do throws(GraphFailure) {
            switch route {
            case .listUsers: return try listUsers(call, state)
            case .getUser: return try getUser(call, state)
            case .patchUser: return updateUser(call, &state)
            case .revokeSignInSessions: return revokeSignInSessions(call, &state)
            case .getManager: return try getManager(call, state)
            case .listTransitiveMemberOf: return try listTransitiveMemberOf(call, castToGroup: false)
            case .listTransitiveGroups: return try listTransitiveMemberOf(call, castToGroup: true)
            case .listGroups: return try listGroups(call)
            case .getGroup: return try getGroup(call)
            case .getMailFolder: return try getMailFolder(call, state)
            case .listDomains: return try listDomains(call)
            case .getDomain: return try getDomain(call)
            case .listSignIns: return try listSignIns(call, state)
            case .getSignIn: return try getSignIn(call, state)
            case .listMessages: return try listMessages(call, state, inFolder: false)
            case .listFolderMessages: return try listMessages(call, state, inFolder: true)
            case .messagesDelta: return try messagesDelta(call, state)
            case .getMessage: return try getMessage(call, state)
            case .deleteMessage: return deleteMessage(call, &state)
            case .moveMessage: return moveMessage(call, &state)
            case .sendMail: return sendMail(call, &state)
            case .listAttachments: return try listAttachments(call, state)
            case .getAttachment: return try getAttachment(call, state)
            case .getAttachmentContent: return try getAttachmentContent(call, state)
            case .listRules: return try listRules(call, state)
            case .getRule: return try getRule(call, state)
            case .deleteRule: return deleteRule(call, &state)
            case .mailboxSettings: return try mailboxSettings(call)
            case .listRiskyUsers: return try listRiskyUsers(call, state)
            case .getRiskyUser: return try getRiskyUser(call, state)
            case .confirmCompromised: return confirmCompromised(call, &state)
            case .listAlerts: return try listAlerts(call)
            case .getAlert: return try getAlert(call)
            case .listEmailThreats: return try listEmailThreats(call)
            case .getEmailThreat: return try getEmailThreat(call)
            }
        } catch {
            return error.response
        }
    }

    /// Runs a write and counts it under its ``writeKey(_:_:)``, whatever it answers.
    func recordingWrite(
        _ route: GraphRoute, _ call: GraphCall, _ state: inout TenantState,
        _ body: (inout TenantState) throws(GraphFailure) -> SimResponse
    ) -> SimResponse {
        let response: SimResponse
        do throws(GraphFailure) {
            response = try body(&state)
        } catch {
            response = error.response
        }
        if let key = writeKey(route, call) {
            state.recordWrite(endpoint: key.endpoint, target: key.target, status: response.status, at: call.now)
        }
        return response
    }

    // MARK: Shared pieces

    /// A user by object id (any case) or user principal name (any case).
    func user(named key: String) -> SimulatedUser? {
        let lowered = key.lowercased()
        if let index = userIndexById[key] ?? userIndexById[lowered] ?? userIndexByName[lowered] { return users[index] }
        return nil
    }

    func displayName(ofUser id: String) -> String? { userIndexById[id].map { users[$0].displayName } }

    /// The user of a directory path (`users/{id}`): 404 `Request_ResourceNotFound` when unknown.
    func directoryUser(_ call: GraphCall) throws(GraphFailure) -> SimulatedUser {
        let key = call.parameters["user"] ?? ""
        guard let user = user(named: key) else { throw GraphFailure(GraphError.resourceNotFound(key)) }
        return user
    }

    /// The mailbox of an Outlook path: 404 `ErrorInvalidUser` when unknown, as Exchange answers.
    func mailboxUser(_ call: GraphCall) throws(GraphFailure) -> SimulatedUser {
        let key = call.parameters["user"] ?? ""
        guard let user = user(named: key) else { throw GraphFailure(GraphError.invalidUser(key)) }
        return user
    }

    func link(_ call: GraphCall, _ path: String, _ query: [(String, String)] = []) -> String {
        baseURL + "/" + call.version + path + GraphSupport.query(query)
    }

    func context(_ call: GraphCall, _ fragment: String) -> OrderedJSON {
        .string(baseURL + "/" + call.version + "/$metadata#" + fragment)
    }

    /// A collection page: `@odata.context`, `@odata.count` when asked, `@odata.nextLink` when
    /// there is more, `value`.
    func collection(
        _ call: GraphCall, context fragment: String, _ values: [OrderedJSON], nextLink: String?, count: Int? = nil
    ) -> SimResponse {
        var members = [OrderedJSON.Member("@odata.context", context(call, fragment))]
        if let count { members.append(.init("@odata.count", .int(count))) }
        if let nextLink { members.append(.init("@odata.nextLink", .string(nextLink))) }
        members.append(.init("value", .array(values)))
        return .json(200, .object(members))
    }

    /// One entity with its `@odata.context` in front.
    func entity(_ call: GraphCall, context fragment: String, _ value: OrderedJSON, status: Int = 200) -> SimResponse {
        guard case .object(let members) = value else { return .json(status, value) }
        return .json(status, .object([.init("@odata.context", context(call, fragment))] + members))
    }
}

/// One routed request.
struct GraphCall {
    var request: SimRequest
    /// `v1.0` or `beta`, as links must repeat it.
    var version: String
    /// Path ids by name: `user`, `message`, `folder`, `rule`, ...
    var parameters: [String: String]
    var roles: Set<String>
    var now: Date

    func require(_ permission: GraphPermission) throws(GraphFailure) {
        guard permission.isGranted(by: roles) else {
            throw GraphFailure(permission.outlook ? GraphError.accessDenied : GraphError.insufficientPrivileges)
        }
    }

    func queryValue(_ name: String) -> String? { request.queryValue(name) }

    /// `$top`, checked against Graph's limit for the resource.
    func top(default defaultValue: Int, max maximum: Int) throws(GraphFailure) -> Int {
        guard let text = queryValue("$top") ?? queryValue("top") else { return min(defaultValue, maximum) }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (1...maximum).contains(value) else {
            throw GraphFailure(
                GraphError.response(
                    400, "BadRequest",
                    "Invalid page size specified: '\(text)'. Must be between 1 and \(maximum) inclusive."
                ))
        }
        return value
    }

    /// `Prefer: odata.maxpagesize=N`, how Outlook delta takes its page size.
    var preferredPageSize: Int? {
        guard let prefer = request.headers["prefer"] else { return nil }
        for part in prefer.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "odata.maxpagesize", let value = Int(pair[1]), value > 0 {
                return value
            }
        }
        return nil
    }

    /// `$select` as lower-cased property names; `nil` when absent.
    var select: Set<String>? {
        guard let text = queryValue("$select"), !text.isEmpty else { return nil }
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    /// Keeps the selected properties of an entity (and `id` and the `@odata` annotations).
    func project(_ value: OrderedJSON) -> OrderedJSON { Self.project(value, select: select) }

    /// Keeps the properties of `value` named in `select` (lower-cased), its `id` and its annotations.
    static func project(_ value: OrderedJSON, select: Set<String>?) -> OrderedJSON {
        guard let select, case .object(let members) = value else { return value }
        return .object(
            members.filter { $0.key.hasPrefix("@") || $0.key == "id" || select.contains($0.key.lowercased()) })
    }

    /// `$expand`: its comma-separated items (commas inside parentheses kept), each a
    /// path and its options (`$select=a,b;$levels=max`); empty when absent.
    func expansions() throws(GraphFailure) -> [Expansion] {
        guard let text = queryValue("$expand"), !text.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        var items: [String] = []
        var depth = 0
        var current = ""
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                items.append(current)
                current = ""
                continue
            default: break
            }
            guard depth >= 0 else { throw Expansion.malformed(text) }
            current.append(character)
        }
        guard depth == 0 else { throw Expansion.malformed(text) }
        items.append(current)
        var expansions: [Expansion] = []
        for item in items {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw Expansion.malformed(text) }
            var expansion = Expansion(path: trimmed)
            if let open = trimmed.firstIndex(of: "(") {
                guard trimmed.hasSuffix(")") else { throw Expansion.malformed(text) }
                expansion.path = trimmed[..<open].trimmingCharacters(in: .whitespaces)
                let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
                for option in inner.split(separator: ";") {
                    let pair = option.split(separator: "=", maxSplits: 1).map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                    guard pair.count == 2, !pair[1].isEmpty else { throw Expansion.malformed(text) }
                    switch pair[0].lowercased() {
                    case "$select":
                        expansion.select = Set(
                            pair[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                    case "$levels":
                        expansion.levels = pair[1]
                    default:
                        throw GraphFailure(
                            GraphError.response(
                                400, "BadRequest",
                                "Parsing OData Select and Expand failed: The query option '\(pair[0])' is not "
                                    + "supported inside $expand."))
                    }
                }
            }
            expansions.append(expansion)
        }
        return expansions
    }
}

/// One item of `$expand`.
struct Expansion {
    /// As written: `manager`, `microsoft.graph.itemAttachment/item`.
    var path: String
    /// `$select` inside the parentheses, lower-cased.
    var select: Set<String>?
    /// `$levels` inside the parentheses, as written.
    var levels: String?

    static func malformed(_ text: String) -> GraphFailure {
        GraphFailure(
            GraphError.response(
                400, "BadRequest", "Parsing OData Select and Expand failed: '\(text)' is not a valid $expand."))
    }

    /// What Graph answers for a property its type does not have.
    static func unknownProperty(_ name: String, on type: String) -> GraphFailure {
        GraphFailure(
            GraphError.response(
                400, "BadRequest",
                "Parsing OData Select and Expand failed: Could not find a property named '\(name)' on type "
                    + "'microsoft.graph.\(type)'."))
    }
}

/// A failed request, carried out of helper functions.
struct GraphFailure: Error {
    var response: SimResponse
    init(_ response: SimResponse) { self.response = response }
}

/// Which application permissions an endpoint accepts: any one of the alternatives,
/// each a set of roles that must all be granted.
struct GraphPermission: Sendable {
    var alternatives: [Set<String>]
    /// Exchange answers `ErrorAccessDenied` rather than `Authorization_RequestDenied`.
    var outlook: Bool = false

    func isGranted(by roles: Set<String>) -> Bool { alternatives.contains { $0.isSubset(of: roles) } }

    static let readUsers = GraphPermission(alternatives: [
        ["User.Read.All"], ["User.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"],
    ])
    /// A user's memberships: reading users is enough to list them (group properties need ``readGroups``).
    static let listMemberships = GraphPermission(alternatives: [
        ["User.Read.All"], ["User.ReadWrite.All"], ["GroupMember.Read.All"], ["Group.Read.All"],
        ["Group.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"],
    ])
    /// Groups and their basic properties; `GroupMember.Read.All` is the least privileged.
    static let readGroups = GraphPermission(alternatives: [
        ["GroupMember.Read.All"], ["Group.Read.All"], ["Group.ReadWrite.All"], ["Directory.Read.All"],
        ["Directory.ReadWrite.All"],
    ])
    static let readDomains = GraphPermission(alternatives: [
        ["Domain.Read.All"], ["Domain.ReadWrite.All"], ["Directory.Read.All"], ["Directory.ReadWrite.All"],
    ])
    static let readAuditLogs = GraphPermission(alternatives: [["AuditLog.Read.All"]])
    static let readRiskyUsers = GraphPermission(alternatives: [
        ["IdentityRiskyUser.Read.All"], ["IdentityRiskyUser.ReadWrite.All"],
    ])
    static let writeRiskyUsers = GraphPermission(alternatives: [["IdentityRiskyUser.ReadWrite.All"]])
    static let readMail = GraphPermission(alternatives: [["Mail.Read"], ["Mail.ReadWrite"]], outlook: true)
    static let writeMail = GraphPermission(alternatives: [["Mail.ReadWrite"]], outlook: true)
    static let sendMail = GraphPermission(alternatives: [["Mail.Send"]], outlook: true)
    static let readMailboxSettings = GraphPermission(
        alternatives: [["MailboxSettings.Read"], ["MailboxSettings.ReadWrite"]], outlook: true)
    static let writeMailboxSettings = GraphPermission(alternatives: [["MailboxSettings.ReadWrite"]], outlook: true)
    static let readAlerts = GraphPermission(alternatives: [["SecurityAlert.Read.All"], ["SecurityAlert.ReadWrite.All"]])
    static let readThreatSubmissions = GraphPermission(alternatives: [
        ["ThreatSubmission.Read.All"], ["ThreatSubmission.ReadWrite.All"],
    ])
    /// `accountEnabled`: the least-privileged pair Graph documents, or broad user write.
    static let enableDisableAccount = GraphPermission(alternatives: [
        ["User.EnableDisableAccount.All", "User.Read.All"], ["User.ReadWrite.All"], ["Directory.ReadWrite.All"],
    ])
    /// `passwordProfile`: the dedicated permission, or `User.ReadWrite.All` standing in for
    /// the directory role (User Administrator) a real tenant would need.
    static let passwordProfile = GraphPermission(alternatives: [
        ["User-PasswordProfile.ReadWrite.All"], ["User.ReadWrite.All"],
    ])
    static let revokeSessions = GraphPermission(alternatives: [
        ["User.RevokeSessions.All"], ["User.ReadWrite.All"], ["Directory.ReadWrite.All"],
    ])
}

/// Graph's error bodies.
enum GraphError {
    static func response(_ status: Int, _ code: String, _ message: String) -> SimResponse {
        .microsoftError(status, code: code, message: message)
    }

    static let insufficientPrivileges = response(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    static let accessDenied = response(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    static let methodNotAllowed = response(
        405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.")
    static let itemNotFound = response(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    static let invalidJSON = response(
        400, "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
    )
    static let emptyPayload = response(400, "BadRequest", "Empty Payload. JSON content expected.")
    static let invalidSkipToken = response(400, "BadRequest", "The $skiptoken is not valid for this request.")
    static let syncStateNotFound = response(
        410, "SyncStateNotFound",
        "The sync state generation is not found; the delta token has expired or is not valid. Start a full synchronization."
    )

    static func segmentNotFound(_ segment: String) -> SimResponse {
        response(400, "BadRequest", "Resource not found for the segment '\(segment)'.")
    }

    static func resourceNotFound(_ id: String) -> SimResponse {
        response(
            404, "Request_ResourceNotFound",
            "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
    }

    static func invalidUser(_ id: String) -> SimResponse {
        response(404, "ErrorInvalidUser", "The requested user '\(id)' is invalid.")
    }

    static func invalidRequest(_ message: String) -> SimResponse { response(400, "ErrorInvalidRequest", message) }
}

/// The times of a time-ordered collection, for binary search.
struct TimeColumn: Sendable {
    let times: [Date]
    /// The whole second Graph shows, in milliseconds: what `$filter` bounds compare with.
    let rendered: [Int64]

    init(_ times: [Date]) {
        self.times = times
        rendered = times.map(GraphSupport.renderedMilliseconds)
    }

    var count: Int { times.count }

    /// How many items exist at `now` (a prefix: the column is in time order).
    func visibleCount(_ now: Date) -> Int { GraphSupport.partitionPoint(times.count) { times[$0] > now } }

    /// The indices inside `bounds` that exist at `now`.
    func range(_ bounds: TimeBounds, now: Date) -> Range<Int> {
        let low = GraphSupport.partitionPoint(rendered.count) { bounds.isAboveLower(rendered[$0]) }
        let high = min(
            visibleCount(now), GraphSupport.partitionPoint(rendered.count) { bounds.isAboveUpper(rendered[$0]) })
        return low..<max(low, high)
    }
}
