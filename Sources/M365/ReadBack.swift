public import Foundation

/// What reading a remediation target back found. Never thrown: like ``ActionResult``, every
/// outcome is a value, so a worker that checks a target after a crash decides on each case.
public enum ReadBack<Value: Sendable>: Sendable {
    /// The target exists; what Graph says about it.
    case found(Value)
    /// The target does not exist (Graph answered 404). The text is Graph's.
    case notFound(String)
    /// The app lacks a permission: which one, and Graph's message.
    case forbidden(missingPermission: String, message: String)
    /// Graph asked us to wait longer than the client waits inline (nil: it did not say how long).
    case throttled(retryAfter: Duration?)
    /// Anything else; whether a later read may succeed.
    case failed(message: String, isRetriable: Bool)

    /// The value when found.
    public var value: Value? {
        if case .found(let value) = self { value } else { nil }
    }

    /// The same outcome with the found value transformed.
    public func map<Other: Sendable>(_ transform: (Value) -> Other) -> ReadBack<Other> {
        flatMap { .found(transform($0)) }
    }

    func flatMap<Other: Sendable>(_ transform: (Value) -> ReadBack<Other>) -> ReadBack<Other> {
        switch self {
        case .found(let value): transform(value)
        case .notFound(let message): .notFound(message)
        case .forbidden(let permission, let message): .forbidden(missingPermission: permission, message: message)
        case .throttled(let retryAfter): .throttled(retryAfter: retryAfter)
        case .failed(let message, let isRetriable): .failed(message: message, isRetriable: isRetriable)
        }
    }
}

extension ReadBack: Equatable where Value: Equatable {}
extension ReadBack: Hashable where Value: Hashable {}

/// A directory user as the action worker needs to see it before and after acting.
public struct DirectoryUserFacts: Sendable, Hashable {
    /// The object id.
    public var id: String
    public var userPrincipalName: String
    /// False once the account is disabled.
    public var accountEnabled: Bool
    /// Sessions and refresh tokens issued before this time are invalid: the time of the last
    /// `revokeSignInSessions` (or when the user was created). nil when Graph did not say.
    public var signInSessionsValidFrom: Date?
    /// Whether a password change is required at next sign-in; nil when Graph shows no password
    /// profile (Entra's is null until an administrator requires a change).
    public var forceChangePasswordNextSignIn: Bool?

    public init(
        id: String, userPrincipalName: String, accountEnabled: Bool, signInSessionsValidFrom: Date?,
        forceChangePasswordNextSignIn: Bool?
    ) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.accountEnabled = accountEnabled
        self.signInSessionsValidFrom = signInSessionsValidFrom
        self.forceChangePasswordNextSignIn = forceChangePasswordNextSignIn
    }
}

/// Where a message is: its id (a move gives it a new one) and its folder.
public struct MessageFacts: Sendable, Hashable {
    public var id: String
    /// The folder's id; compare with ``GraphActions/wellKnownFolderId(mailbox:name:requestId:)``.
    public var parentFolderId: String?
    public var internetMessageId: String?

    public init(id: String, parentFolderId: String?, internetMessageId: String?) {
        self.id = id
        self.parentFolderId = parentFolderId
        self.internetMessageId = internetMessageId
    }
}

/// An inbox rule that still exists.
public struct RuleFacts: Sendable, Hashable {
    public var id: String
    public var displayName: String?
    public var isEnabled: Bool?

    public init(id: String, displayName: String?, isEnabled: Bool?) {
        self.id = id
        self.displayName = displayName
        self.isEnabled = isEnabled
    }
}

/// A group a user belongs to, directly or through nested groups.
public struct GroupFacts: Sendable, Hashable {
    public var id: String
    public var displayName: String

    public init(id: String, displayName: String) {
        self.id = id
        self.displayName = displayName
    }
}
