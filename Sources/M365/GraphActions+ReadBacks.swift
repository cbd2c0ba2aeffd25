import Events
import Foundation
import HTTP

/// Reads that tell the action worker the state of a target before it acts again (after a crash,
/// or after a call that broke and may have reached Graph). Each answers a ``ReadBack``, never
/// throws, waits out a `Retry-After` only up to ``inlineRetryAfterLimit`` (as the writes do), and
/// sends `requestId` as `client-request-id` when given: give reads ids of their own, not the
/// command's write id, or they count as attempts of the write.
extension GraphActions {
    /// `GET users/{id|upn}?$select=id,userPrincipalName,accountEnabled,signInSessionsValidFromDateTime,passwordProfile`
    /// (`User.Read.All`). 404: no such user.
    public func directoryUser(_ user: String, requestId: String? = nil) async -> ReadBack<DirectoryUserFacts> {
        let select = "id,userPrincipalName,accountEnabled,signInSessionsValidFromDateTime,passwordProfile"
        let read = await readJSON(
            "directoryUser", graph.url("users/\(URLPath.segment(user))", query: [("$select", select)]),
            requestId: requestId, permission: "User.Read.All")
        return read.flatMap { json in
            guard let id = json["id"]?.stringValue, let name = json["userPrincipalName"]?.stringValue,
                case .bool(let enabled)? = json["accountEnabled"]
            else { return Self.unexpected("a user without id, userPrincipalName or accountEnabled") }
            var forceChange: Bool?
            if case .bool(let flag)? = json["passwordProfile"]?["forceChangePasswordNextSignIn"] { forceChange = flag }
            return .found(
                DirectoryUserFacts(
                    id: id, userPrincipalName: name, accountEnabled: enabled,
                    signInSessionsValidFrom: json["signInSessionsValidFromDateTime"]?.stringValue.flatMap(
                        M365Time.parseISO),
                    forceChangePasswordNextSignIn: forceChange))
        }
    }

    /// `GET users/{id}/messages/{id}` (`Mail.Read`). 404 (`ErrorItemNotFound`) is
    /// ``ReadBack/notFound(_:)``: deleted, or moved (a move gives the message a new id). An
    /// unknown mailbox is ``ReadBack/failed(message:isRetriable:)``, never "not found".
    public func message(mailbox: String, messageId: String, requestId: String? = nil) async -> ReadBack<MessageFacts> {
        let url = graph.url(
            "users/\(URLPath.segment(mailbox))/messages/\(URLPath.segment(messageId))",
            query: [("$select", "id,parentFolderId,internetMessageId")])
        return await readJSON("message", url, requestId: requestId, permission: "Mail.ReadWrite").flatMap { json in
            guard let id = json["id"]?.stringValue else { return Self.unexpected("a message without an id") }
            return .found(
                MessageFacts(
                    id: id, parentFolderId: json["parentFolderId"]?.stringValue,
                    internetMessageId: json["internetMessageId"]?.stringValue))
        }
    }

    /// `GET users/{id}/mailFolders/inbox/messageRules/{id}` (`MailboxSettings.Read`). 404: the
    /// rule is gone.
    public func inboxRule(mailbox: String, ruleId: String, requestId: String? = nil) async -> ReadBack<RuleFacts> {
        let url = graph.url(
            "users/\(URLPath.segment(mailbox))/mailFolders/inbox/messageRules/\(URLPath.segment(ruleId))")
        return await readJSON("inboxRule", url, requestId: requestId, permission: "MailboxSettings.ReadWrite")
            .flatMap { json in
                guard let id = json["id"]?.stringValue else { return Self.unexpected("a rule without an id") }
                var enabled: Bool?
                if case .bool(let flag)? = json["isEnabled"] { enabled = flag }
                return .found(RuleFacts(id: id, displayName: json["displayName"]?.stringValue, isEnabled: enabled))
            }
    }

    /// The `riskState` of `GET identityProtection/riskyUsers/{id}` (`IdentityRiskyUser.Read.All`,
    /// Entra ID P2): `confirmedCompromised` after a confirmation. 404: the user has no risk record.
    public func riskState(userId: String, requestId: String? = nil) async -> ReadBack<String> {
        let url = graph.url(
            "identityProtection/riskyUsers/\(URLPath.segment(userId))", query: [("$select", "id,riskState,riskLevel")])
        return await readJSON(
            "riskState", url, requestId: requestId, permission: "IdentityRiskyUser.Read.All (Entra ID P2)"
        ).flatMap { json in
            guard let state = json["riskState"]?.stringValue else {
                return Self.unexpected("a risky user without riskState")
            }
            return .found(state)
        }
    }

    /// The id of a well-known folder (`junkemail`, `deleteditems`, `inbox`): `GET
    /// users/{id}/mailFolders/{name}`, to compare with a message's ``MessageFacts/parentFolderId``.
    public func wellKnownFolderId(mailbox: String, name: String, requestId: String? = nil) async -> ReadBack<String> {
        let url = graph.url(
            "users/\(URLPath.segment(mailbox))/mailFolders/\(URLPath.segment(name))", query: [("$select", "id")])
        return await readJSON("wellKnownFolderId", url, requestId: requestId, permission: "Mail.ReadWrite").flatMap {
            json in
            guard let id = json["id"]?.stringValue else { return Self.unexpected("a folder without an id") }
            return .found(id)
        }
    }

    /// The groups `user` is a member of, directly or through nested groups:
    /// `GET users/{id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName`, every
    /// page followed (all pages carry `requestId`). Group names need `GroupMember.Read.All`:
    /// Graph lists the groups of an app that may read users only without their names, which
    /// answers ``ReadBack/forbidden(missingPermission:message:)`` rather than nameless groups.
    public func groups(ofUser user: String, requestId: String? = nil) async -> ReadBack<[GroupFacts]> {
        let permission = "GroupMember.Read.All"
        var next: String? = graph.url(
            "users/\(URLPath.segment(user))/transitiveMemberOf/microsoft.graph.group",
            query: [("$select", "id,displayName"), ("$count", "true")])
        var seen: Set<String> = []
        var groups: [GroupFacts] = []
        while let url = next {
            guard OriginCheck.isSameOrigin(url, as: graph.graphBase), seen.insert(url).inserted else {
                return .failed(
                    message: "@odata.nextLink \(Redaction.url(url)) is off the Graph host or repeats a page",
                    isRetriable: false)
            }
            // The OData cast is an advanced query: Graph asks for ConsistencyLevel and $count.
            let page = await readJSON(
                "groups", url, requestId: requestId, headers: [("ConsistencyLevel", "eventual")],
                permission: permission)
            guard case .found(let json) = page else { return page.map { _ in [] } }
            guard case .array(let items)? = json["value"] else {
                return Self.unexpected("a collection without a 'value' array")
            }
            for item in items {
                guard let id = item["id"]?.stringValue else { return Self.unexpected("a group without an id") }
                guard let name = item["displayName"]?.stringValue else {
                    return .forbidden(
                        missingPermission: permission,
                        message: "Graph listed the groups of \(user) without their names (limited information): "
                            + "the app may read users but not groups")
                }
                groups.append(GroupFacts(id: id, displayName: name))
            }
            next = json["@odata.nextLink"]?.stringValue
        }
        return .found(groups)
    }

    // MARK: Plumbing

    /// One GET, its answer as JSON or as the ``ReadBack`` case its status means.
    func readJSON(
        _ name: String, _ url: String, requestId: String?, headers: [(name: String, value: String)] = [],
        permission: String
    ) async -> ReadBack<JSONValue> {
        let result: ReadBack<JSONValue>
        do {
            let response = try await graph.send(
                "GET", url, headers: Self.requestHeaders(requestId) + headers, isIdempotent: true,
                classify: retryClassifier)
            result = Self.readBack(response, permission: permission, now: graph.clock.now())
        } catch {
            result =
                error.code == .throttled
                ? .throttled(retryAfter: nil) : .failed(message: error.description, isRetriable: error.isRetriable)
        }
        logger.debug("graph read-back \(name): \(Self.summary(result))", metadata: ["url": "\(Redaction.url(url))"])
        return result
    }

    private static func readBack(_ response: HTTPResponse, permission: String, now: Date) -> ReadBack<JSONValue> {
        if (200..<300).contains(response.status) {
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: response.body) else {
                return .failed(
                    message: "HTTP \(response.status) with a body that is not JSON: \(BodySnippet.of(response.body))",
                    isRetriable: true)
            }
            return .found(json)
        }
        let error = GraphError.from(response)
        switch response.status {
        case 404 where error.graphCode == "ErrorInvalidUser":
            // The mailbox is unknown: that says nothing about the message or rule in it.
            return .failed(message: "the mailbox does not exist: \(error.message)", isRetriable: false)
        case 404:
            return .notFound(error.message)
        case 403:
            return .forbidden(missingPermission: permission, message: error.message)
        case 429, 503:
            return .throttled(retryAfter: response.header("Retry-After").flatMap { RetryAfter.parse($0, now: now) })
        default:
            return .failed(message: error.description, isRetriable: error.isRetriable)
        }
    }

    private static func unexpected<Value>(_ what: String) -> ReadBack<Value> {
        .failed(message: "Graph answered \(what)", isRetriable: false)
    }

    private static func summary(_ result: ReadBack<JSONValue>) -> String {
        switch result {
        case .found: "found"
        case .notFound: "not found"
        case .forbidden(let permission, _): "forbidden (needs \(permission))"
        case .throttled(let after): "throttled" + (after.map { " (retry after \($0))" } ?? "")
        case .failed(_, let retriable): retriable ? "failed (retriable)" : "failed"
        }
    }
}
