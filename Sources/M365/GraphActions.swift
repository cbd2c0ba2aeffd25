import Foundation
public import HTTP
public import Logging

/// What became of one remediation call. Never thrown: every outcome, including failures, is
/// a value the action worker records against its command id.
public enum ActionResult: Sendable, Hashable {
    /// Done now. `details` says what happened (and, for a move, the message's new id).
    case done(ActionDetails)
    /// Nothing to do: the tenant was already in the wanted state. The text says how we know.
    case alreadyDone(String)
    /// The target (user, message, rule) does not exist. The text is Graph's.
    case notFound(String)
    /// The app lacks a permission (or role, or license): which one, and Graph's message.
    case forbidden(missingPermission: String, message: String)
    /// Graph asked us to wait longer than this client waits inline; try again after `retryAfter`
    /// (nil when Graph did not say).
    case throttled(retryAfter: Duration?)
    /// Anything else; whether a later retry may succeed.
    case failed(message: String, isRetriable: Bool)

    /// Whether the tenant is now as the action wanted.
    public var isSuccess: Bool {
        switch self {
        case .done, .alreadyDone: true
        default: false
        }
    }
}

/// What a completed action did.
public struct ActionDetails: Sendable, Hashable {
    /// One line for the outcome record.
    public var summary: String
    /// For a move: the message's id in its new folder (Graph gives a moved message a new id).
    public var newMessageId: String?
    public var httpStatus: Int

    public init(summary: String, newMessageId: String? = nil, httpStatus: Int) {
        self.summary = summary
        self.newMessageId = newMessageId
        self.httpStatus = httpStatus
    }
}

/// A folder a message can be moved to: a well-known name or a folder id.
public struct MoveDestination: RawRepresentable, Sendable, Hashable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let junkEmail = MoveDestination(rawValue: "junkemail")
    public static let deletedItems = MoveDestination(rawValue: "deleteditems")
}

/// The remediation writes of the action worker, one typed call each, against Graph. Needs the
/// separate action app (least privilege); each result names the permission that is missing.
///
/// Requests that must not be sent twice (moves, revocations, confirmations, mail) are marked
/// non-idempotent, so HTTP resends them only when Graph surely did not act (429, 503, refused
/// connection). A `Retry-After` longer than ``inlineRetryAfterLimit`` is not waited out here
/// but returned as ``ActionResult/throttled(retryAfter:)``, so the worker can schedule it.
///
/// Every call takes an optional `requestId`, sent as Graph's `client-request-id` header: give
/// all attempts of one command the same id (``GraphRequestID/forCommand(_:)``) so Graph's logs
/// (and the simulator's request ledger) tie them together. The read-backs (``directoryUser(_:requestId:)``
/// and the others) let a worker check a target before acting again.
public struct GraphActions: Sendable {
    let graph: GraphClient
    let logger: Logger
    /// The longest `Retry-After` waited out inside a call.
    public let inlineRetryAfterLimit: Duration

    public init(
        tenantId: String, tokens: TokenProvider, http: HTTPClient, endpoints: M365Endpoints = .commercial,
        clock: M365Clock = .system, inlineRetryAfterLimit: Duration = .seconds(10), logger: Logger
    ) {
        self.graph = GraphClient(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: clock, logger: logger)
        self.logger = logger
        self.inlineRetryAfterLimit = inlineRetryAfterLimit
    }

    /// Moves a message to junk or deleted items: `POST users/{id}/messages/{id}/move` → 201 with
    /// the moved message, whose id is new (``ActionDetails/newMessageId``).
    ///
    /// 404 is ``ActionResult/notFound(_:)``: the id is not in the mailbox. That is also what a
    /// second move of the same id sees (a move changes the id), which is why the worker answers
    /// a repeated command from its record instead of calling again.
    public func moveMessage(
        mailbox: String, messageId: String, to destination: MoveDestination, requestId: String? = nil
    ) async -> ActionResult {
        let body = Self.json(["destinationId": destination.rawValue])
        return await perform(
            "moveMessage", "POST", "users/\(URLPath.segment(mailbox))/messages/\(URLPath.segment(messageId))/move",
            body: body, isIdempotent: false, requestId: requestId, permission: "Mail.ReadWrite", notFound: .notFound
        ) { response in
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            let newId = object?["id"] as? String
            return .done(
                ActionDetails(
                    summary: "moved to \(destination.rawValue)" + (newId == nil ? " (Graph sent no new id)" : ""),
                    newMessageId: newId, httpStatus: response.status))
        }
    }

    /// Deletes a message: `DELETE users/{id}/messages/{id}` → 204 (it goes to Recoverable Items).
    ///
    /// 404 is ``ActionResult/alreadyDone(_:)``: the id no longer exists in the mailbox, which is
    /// what a retried delete sees. Graph answers the same for an id that was moved (moves change
    /// ids) or never existed; the text says so. An unknown mailbox (`ErrorInvalidUser`) is
    /// ``ActionResult/notFound(_:)``.
    public func deleteMessage(mailbox: String, messageId: String, requestId: String? = nil) async -> ActionResult {
        await perform(
            "deleteMessage", "DELETE", "users/\(URLPath.segment(mailbox))/messages/\(URLPath.segment(messageId))",
            isIdempotent: true, requestId: requestId, permission: "Mail.ReadWrite",
            notFound: .alreadyDone("the message id no longer exists in the mailbox (deleted, or moved under a new id)")
        ) { .done(ActionDetails(summary: "message deleted", httpStatus: $0.status)) }
    }

    /// Removes an inbox rule: `DELETE users/{id}/mailFolders/inbox/messageRules/{id}` → 204.
    /// 404 is ``ActionResult/alreadyDone(_:)``: the rule is gone, which is the goal.
    public func removeInboxRule(mailbox: String, ruleId: String, requestId: String? = nil) async -> ActionResult {
        await perform(
            "removeInboxRule", "DELETE",
            "users/\(URLPath.segment(mailbox))/mailFolders/inbox/messageRules/\(URLPath.segment(ruleId))",
            isIdempotent: true, requestId: requestId, permission: "MailboxSettings.ReadWrite",
            notFound: .alreadyDone("the rule no longer exists")
        ) { .done(ActionDetails(summary: "inbox rule removed", httpStatus: $0.status)) }
    }

    /// Disables sign-in: `PATCH users/{id}` `{"accountEnabled":false}` → 204. 404: no such user.
    public func disableAccount(user: String, requestId: String? = nil) async -> ActionResult {
        // Setting the same value twice changes nothing, so the PATCH may be resent.
        await perform(
            "disableAccount", "PATCH", "users/\(URLPath.segment(user))", body: Data(#"{"accountEnabled":false}"#.utf8),
            isIdempotent: true, requestId: requestId, permission: "User.EnableDisableAccount.All and User.Read.All",
            notFound: .notFound
        ) { .done(ActionDetails(summary: "account disabled", httpStatus: $0.status)) }
    }

    /// Revokes refresh tokens and sessions: `POST users/{id}/revokeSignInSessions` → 200
    /// `{"value":true}`. 404: no such user.
    public func revokeSessions(user: String, requestId: String? = nil) async -> ActionResult {
        await perform(
            "revokeSessions", "POST", "users/\(URLPath.segment(user))/revokeSignInSessions", body: Data("{}".utf8),
            isIdempotent: false, requestId: requestId, permission: "User.RevokeSessions.All", notFound: .notFound
        ) { .done(ActionDetails(summary: "sign-in sessions revoked", httpStatus: $0.status)) }
    }

    /// Forces a password change at next sign-in: `PATCH users/{id}` with
    /// `passwordProfile.forceChangePasswordNextSignIn`. Needs a directory role (e.g. User
    /// Administrator) on the app, or `User-PasswordProfile.ReadWrite.All`. 404: no such user.
    public func forcePasswordChange(user: String, requestId: String? = nil) async -> ActionResult {
        await perform(
            "forcePasswordChange", "PATCH", "users/\(URLPath.segment(user))",
            body: Data(#"{"passwordProfile":{"forceChangePasswordNextSignIn":true}}"#.utf8), isIdempotent: true,
            requestId: requestId, permission: "User-PasswordProfile.ReadWrite.All (or the User Administrator role)",
            notFound: .notFound
        ) { .done(ActionDetails(summary: "password change required at next sign-in", httpStatus: $0.status)) }
    }

    /// Marks users as compromised in Identity Protection (Entra ID P2):
    /// `POST identityProtection/riskyUsers/confirmCompromised` `{"userIds":[…]}` → 204.
    public func confirmCompromised(userIds: [String], requestId: String? = nil) async -> ActionResult {
        guard !userIds.isEmpty else { return .failed(message: "no user ids given", isRetriable: false) }
        let body = (try? JSONSerialization.data(withJSONObject: ["userIds": userIds])) ?? Data()
        return await perform(
            "confirmCompromised", "POST", "identityProtection/riskyUsers/confirmCompromised", body: body,
            isIdempotent: false, requestId: requestId, permission: "IdentityRiskyUser.ReadWrite.All (Entra ID P2)",
            notFound: .notFound
        ) { .done(ActionDetails(summary: "confirmed compromised: \(userIds.count) user(s)", httpStatus: $0.status)) }
    }

    /// Sends a warning mail from `sender`'s mailbox: `POST users/{sender}/sendMail` → 202, not
    /// saved to Sent Items. Never resent by HTTP after Graph may have acted: a user must not get
    /// the same warning twice.
    public func sendWarningMail(
        from sender: String, to recipients: [String], subject: String, body: String, requestId: String? = nil
    ) async -> ActionResult {
        let message: [String: Any] = [
            "message": [
                "subject": subject, "body": ["contentType": "Text", "content": body],
                "toRecipients": recipients.map { ["emailAddress": ["address": $0]] },
            ] as [String: Any],
            "saveToSentItems": false,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: message)) ?? Data()
        return await perform(
            "sendWarningMail", "POST", "users/\(URLPath.segment(sender))/sendMail", body: data, isIdempotent: false,
            requestId: requestId, permission: "Mail.Send", notFound: .notFound
        ) {
            .done(
                ActionDetails(summary: "warning mail sent to \(recipients.count) recipient(s)", httpStatus: $0.status))
        }
    }

    // MARK: Plumbing

    /// What a 404 means for an action.
    enum NotFoundMeaning {
        case notFound
        case alreadyDone(String)
    }

    private func perform(
        _ action: String, _ method: String, _ path: String, body: Data? = nil, isIdempotent: Bool,
        requestId: String?, permission: String, notFound: NotFoundMeaning, success: (HTTPResponse) -> ActionResult
    ) async -> ActionResult {
        let url = graph.url(path)
        let result: ActionResult
        do {
            let response = try await graph.send(
                method, url, headers: Self.requestHeaders(requestId), body: body, isIdempotent: isIdempotent,
                classify: retryClassifier)
            result = outcome(response, permission: permission, notFound: notFound, success: success)
        } catch {
            result = Self.outcome(error)
        }
        logger.info("graph action \(action): \(Self.summary(result))", metadata: ["url": "\(Redaction.url(url))"])
        return result
    }

    /// HTTP's retry rules, except that a `Retry-After` longer than ``inlineRetryAfterLimit``
    /// is handed back to the worker instead of holding the call.
    var retryClassifier: @Sendable (HTTPResponse) -> RetryDecision {
        let limit = inlineRetryAfterLimit
        let clock = graph.clock
        return { response in
            if response.status == 429 || response.status == 503,
                let wait = response.header("Retry-After").flatMap({ RetryAfter.parse($0, now: clock.now()) }),
                wait > limit
            {
                return .accept
            }
            return HTTPClient.defaultClassifier(response)
        }
    }

    /// `client-request-id` when there is one.
    static func requestHeaders(_ requestId: String?) -> [(name: String, value: String)] {
        requestId.map { [("client-request-id", $0)] } ?? []
    }

    private func outcome(
        _ response: HTTPResponse, permission: String, notFound: NotFoundMeaning, success: (HTTPResponse) -> ActionResult
    ) -> ActionResult {
        if (200..<300).contains(response.status) { return success(response) }
        let error = GraphError.from(response)
        switch response.status {
        case 404:
            // An unknown mailbox is not "already done", whatever the action.
            if error.graphCode == "ErrorInvalidUser" { return .notFound(error.message) }
            switch notFound {
            case .notFound: return .notFound(error.message)
            case .alreadyDone(let why): return .alreadyDone("\(why) (Graph: \(error.message))")
            }
        case 403:
            return .forbidden(missingPermission: permission, message: error.message)
        case 429, 503:
            return .throttled(
                retryAfter: response.header("Retry-After").flatMap { RetryAfter.parse($0, now: graph.clock.now()) })
        default:
            return .failed(message: error.description, isRetriable: error.isRetriable)
        }
    }

    private static func outcome(_ error: GraphError) -> ActionResult {
        if error.code == .throttled { return .throttled(retryAfter: nil) }
        return .failed(message: error.description, isRetriable: error.isRetriable)
    }

    private static func summary(_ result: ActionResult) -> String {
        switch result {
        case .done(let details): "done (\(details.summary))"
        case .alreadyDone: "already done"
        case .notFound: "not found"
        case .forbidden(let permission, _): "forbidden (needs \(permission))"
        case .throttled(let after): "throttled" + (after.map { " (retry after \($0))" } ?? "")
        case .failed(_, let retriable): retriable ? "failed (retriable)" : "failed"
        }
    }

    private static func json(_ object: [String: String]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }
}

/// Clears mailbox forwarding set with `Set-Mailbox` (`ForwardingSmtpAddress`,
/// `ForwardingAddress`). Graph cannot do this; it needs the Exchange Online admin API
/// (or PowerShell), so it is an adapter of its own.
public protocol MailboxForwardingAdapter: Sendable {
    func clearForwarding(mailbox: String) async -> ActionResult
}

/// The Exchange Online admin API adapter. Not implemented: it says so in every result rather
/// than pretending, so the analyst knows to clear the forwarding by hand.
public struct ExchangeAdminForwarding: MailboxForwardingAdapter {
    public init() {}

    public func clearForwarding(mailbox: String) async -> ActionResult {
        .failed(
            message: "clearing Set-Mailbox forwarding needs the Exchange Online admin API (not Graph); not implemented",
            isRetriable: false)
    }
}
