import Events
import Foundation
import M365

/// Reads a target back to learn whether an earlier attempt already acted: after a crash between
/// the intent and the outcome, or after a call that broke in a way that may have reached Graph.
/// Calling again when the read says "done" would be a second write; when it cannot tell (a sent
/// mail leaves no readable trace), the worker does not guess.
enum TargetCheck {
    enum Answer: Sendable {
        case done(String)
        case notDone
        case unknowable(String)
        case failure(ReadFailure)
    }

    /// What the intent records about the target before the call, for a later check.
    static func observation(_ command: RemediationCommand, user: DirectoryUserFacts) -> String? {
        switch command.action {
        case .revokeSessions:
            return
                "signInSessionsValidFrom=\(user.signInSessionsValidFrom.map { "\($0.timeIntervalSince1970)" } ?? "none")"
        default:
            return nil
        }
    }

    static func check(
        _ command: RemediationCommand, user: DirectoryUserFacts, before: String?, graph: GraphActions,
        requestId: String
    ) async -> Answer {
        let target = command.target
        switch command.action {
        case .disableAccount:
            return user.accountEnabled == false ? .done("the account is already disabled") : .notDone
        case .forcePasswordChange:
            return user.forceChangePasswordNextSignIn == true
                ? .done("a password change at next sign-in is already required") : .notDone
        case .revokeSessions:
            let now =
                "signInSessionsValidFrom=\(user.signInSessionsValidFrom.map { "\($0.timeIntervalSince1970)" } ?? "none")"
            guard let before else {
                return .unknowable(
                    "the worker stopped while revoking; with no earlier valid-from time on record it cannot tell "
                        + "whether the sessions were revoked: revoke again by hand if needed")
            }
            return now != before ? .done("the sessions' valid-from time moved: they were revoked") : .notDone
        case .confirmCompromised:
            switch await graph.riskState(userId: user.id, requestId: requestId) {
            case .found(let state):
                return state == "confirmedCompromised" ? .done("the user is already confirmed compromised") : .notDone
            case .notFound:
                return .notDone
            case let other:
                return .failure(other.failure)
            }
        case .removeInboxRule:
            guard let rule = target.ruleId else { return .notDone }
            switch await graph.inboxRule(mailbox: user.id, ruleId: rule, requestId: requestId) {
            case .found: return .notDone
            case .notFound: return .done("the rule no longer exists")
            case let other: return .failure(other.failure)
            }
        case .deleteMessage:
            guard let message = target.messageId else { return .notDone }
            switch await graph.message(mailbox: user.id, messageId: message, requestId: requestId) {
            case .found: return .notDone
            case .notFound: return .done("the message no longer exists")
            case let other: return .failure(other.failure)
            }
        case .moveMessageToJunk:
            guard let message = target.messageId else { return .notDone }
            switch await graph.message(mailbox: user.id, messageId: message, requestId: requestId) {
            case .found(let facts):
                switch await graph.wellKnownFolderId(mailbox: user.id, name: "junkemail", requestId: requestId) {
                case .found(let junk):
                    return facts.parentFolderId == junk ? .done("the message is already in Junk Email") : .notDone
                case let other:
                    return .failure(other.failure)
                }
            case .notFound:
                // A move gives the message a new id: the old one is gone once the move happened.
                return .done("the message is no longer at its old id: the earlier attempt moved it")
            case let other:
                return .failure(other.failure)
            }
        case .warnUser:
            return .unknowable(
                "the worker stopped while sending the warning; whether it went out cannot be read back, and it is "
                    + "not sent twice: check the sender's mailbox and warn the user by hand if needed")
        case .clearMailboxForwarding, .approve:
            return .notDone
        }
    }
}

/// Why a read did not answer.
enum ReadFailure: Sendable, Hashable {
    case notFound(String)
    case forbidden(permission: String, message: String)
    case throttled(retryAfter: Duration?)
    case failed(message: String, isRetriable: Bool)
}

extension ReadBack {
    /// Why it did not find the target (meaningless for `.found`, which callers handle first).
    var failure: ReadFailure {
        switch self {
        case .found: .failed(message: "found", isRetriable: false)
        case .notFound(let message): .notFound(message)
        case .forbidden(let permission, let message): .forbidden(permission: permission, message: message)
        case .throttled(let retryAfter): .throttled(retryAfter: retryAfter)
        case .failed(let message, let isRetriable): .failed(message: message, isRetriable: isRetriable)
        }
    }
}
