import Foundation

/// How calls are named in the write counts and the request ledger: one place, so a write is
/// counted under the same endpoint and target whether Graph served it or throttled it.
extension GraphAPI {
    /// The endpoint template and target a write is counted under; `nil` for a read.
    func writeKey(_ route: GraphRoute, _ call: GraphCall) -> TenantState.WriteKey? {
        func key(_ endpoint: String, _ target: String) -> TenantState.WriteKey {
            TenantState.WriteKey(endpoint: endpoint, target: target)
        }
        let userKey = call.parameters["user"] ?? ""
        let userTarget = user(named: userKey)?.id ?? userKey
        switch route {
        case .patchUser: return key(WriteEndpoint.updateUser, userTarget)
        case .revokeSignInSessions: return key(WriteEndpoint.revokeSignInSessions, userTarget)
        case .sendMail: return key(WriteEndpoint.sendMail, userTarget)
        case .moveMessage: return key(WriteEndpoint.moveMessage, call.parameters["message"] ?? "")
        case .deleteMessage: return key(WriteEndpoint.deleteMessage, call.parameters["message"] ?? "")
        case .deleteRule: return key(WriteEndpoint.deleteRule, call.parameters["rule"] ?? "")
        case .confirmCompromised:
            let userIds = Self.confirmedUserIds(GraphSupport.body(call.request))
            return key(WriteEndpoint.confirmCompromised, userIds?.joined(separator: ",") ?? "")
        default: return nil
        }
    }

    /// How the request ledger names `request`: a write by its write key, a read as `GET` and
    /// its path template with the last id of the path as target, an unknown path as written.
    func ledgerName(_ request: SimRequest) -> (endpoint: String, target: String) {
        let segments = GraphRouter.normalize(request.segments)
        let unknown = (request.method + " " + request.path, "")
        guard let first = segments.first, ["v1.0", "beta"].contains(first.lowercased()) else { return unknown }
        let rest = Array(segments.dropFirst())
        let beta = first.lowercased() == "beta"
        if case .route(let route, let parameters) = GraphRouter.resolve(rest, method: request.method, beta: beta) {
            let call = GraphCall(
                request: request, version: first.lowercased(), parameters: parameters, roles: [], now: .distantPast)
            if let key = writeKey(route, call) { return (key.endpoint, key.target) }
        }
        guard let template = GraphRouter.template(rest, beta: beta) else { return unknown }
        return (request.method + " " + template.path, template.lastId)
    }

    /// The `userIds` of a `confirmCompromised` body; `nil` when it has none or a non-string.
    static func confirmedUserIds(_ body: GraphSupport.Body) -> [String]? {
        guard case .value(let value) = body, case .array(let items)? = value["userIds"] else { return nil }
        let strings = items.compactMap { item -> String? in
            if case .string(let text) = item { return text }
            return nil
        }
        return strings.count == items.count ? strings : nil
    }
}
