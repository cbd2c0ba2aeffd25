import Events
public import Foundation
public import Logging
public import M365

/// Carries out one attempt of a job against Graph: resolves the target, checks it is not
/// protected, reads back what an earlier attempt may have done, records the intent, calls, and
/// records the final outcome — or says when to try again.
///
/// Every request carries a `client-request-id` derived from the command id, so a tenant (and
/// the simulator) can tell which command each call belongs to.
public struct ActionExecutor: Sendable {
    /// Graph action clients by tenant id (lower-cased).
    let graphs: [String: GraphActions]
    let policy: ActionPolicy
    let writer: OutcomeWriter
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        graphs: [String: GraphActions], policy: ActionPolicy, writer: OutcomeWriter,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.graphs = Dictionary(uniqueKeysWithValues: graphs.map { ($0.key.lowercased(), $0.value) })
        self.policy = policy
        self.writer = writer
        self.now = now
        self.logger = logger
    }

    /// One attempt. Throws only when an outcome cannot be written (Kafka is gone): the worker
    /// stops, and the command is read again after the restart.
    public func run(_ job: ActionJob) async throws -> JobResult {
        // Stopping: no new call starts; the command is read again after the restart.
        if Task.isCancelled { return .retry(job, retryAfter: nil, intent: nil) }
        var attempt = Attempt(job: job, now: now())
        if attempt.job.startedAt == nil { attempt.job.startedAt = attempt.now }
        guard let graph = graphs[job.command.tenantId.lowercased()] else {
            return try await finish(
                &attempt, .failed, code: "noCredentials",
                "the worker has no Graph credentials for tenant \(job.command.tenantId)")
        }
        if job.mode == .expire, !job.mayHaveActed {
            return try await expire(&attempt)
        }
        let user: DirectoryUserFacts
        switch await graph.directoryUser(job.command.target.user, requestId: attempt.requestId("user")) {
        case .found(let facts):
            attempt.job.attempts += 1
            user = facts
        case let other:
            attempt.job.attempts += 1
            return try await settle(&attempt, other.failure, reading: "the user \(job.command.target.user)")
        }
        if let protection = try await protection(of: user, graph: graph, &attempt) { return protection }
        if job.mode == .dryRun {
            return try await finish(&attempt, .dryRun, code: "dryRun", "would \(Self.describe(job.command, user))")
        }
        if job.mode == .recover || job.mode == .expire || job.mayHaveActed {
            switch await TargetCheck.check(
                job.command, user: user, before: job.observedBefore, graph: graph,
                requestId: attempt.requestId("read-back"))
            {
            case .done(let how):
                attempt.job.attempts += 1
                return try await finish(&attempt, .succeeded, code: "alreadyDone", how)
            case .notDone:
                attempt.job.attempts += 1
                if job.mode == .expire { return try await expire(&attempt) }
            case .unknowable(let why):
                return try await finish(&attempt, .failed, code: "unverifiable", why)
            case .failure(let failure):
                attempt.job.attempts += 1
                return try await settle(&attempt, failure, reading: "the state of the target")
            }
        }
        var intent: RemediationOutcome?
        if !attempt.job.intentRecorded {
            var record = outcome(attempt, .accepted, code: "intent", "about to call Graph")
            record.observedBefore = TargetCheck.observation(job.command, user: user)
            attempt.job.observedBefore = record.observedBefore
            if job.approvedBy != nil { record.heldCommand = job.command }
            try await writer.write([record])
            attempt.job.intentRecorded = true
            intent = record
        }
        let result = await call(job.command, user: user, graph: graph, requestId: attempt.requestId(nil))
        attempt.job.attempts += 1
        attempt.intent = intent
        if Task.isCancelled, !result.isSuccess {
            // The call was cut short by the stop: it may have reached Graph, so the next start reads back.
            attempt.job.mayHaveActed = true
            return .retry(attempt.job, retryAfter: nil, intent: intent)
        }
        switch result {
        case .done(let details):
            attempt.newMessageId = details.newMessageId
            return try await finish(&attempt, .succeeded, code: "done", details.summary)
        case .alreadyDone(let how):
            return try await finish(&attempt, .succeeded, code: "alreadyDone", how)
        case .notFound(let message):
            return try await finish(&attempt, .failed, code: "notFound", "Graph: the target does not exist: \(message)")
        case .forbidden(let permission, let message):
            return try await finish(
                &attempt, .failed, code: "forbidden",
                "Graph refused (403): grant the action app \(permission). Graph said: \(message)")
        case .throttled(let retryAfter):
            attempt.job.lastProblem = "Graph throttled the call (429)"
            return .retry(attempt.job, retryAfter: retryAfter, intent: intent)
        case .failed(let message, let isRetriable):
            guard isRetriable else { return try await finish(&attempt, .failed, code: "graphError", message) }
            // A broken call may have acted: the next attempt reads the target back first.
            attempt.job.mayHaveActed = true
            attempt.job.lastProblem = message
            return .retry(attempt.job, retryAfter: nil, intent: intent)
        }
    }

    // MARK: Steps

    private func protection(of user: DirectoryUserFacts, graph: GraphActions, _ attempt: inout Attempt) async throws
        -> JobResult?
    {
        if policy.isProtected(user: user.id) || policy.isProtected(user: user.userPrincipalName) {
            return try await finish(
                &attempt, .skipped, code: "protected", "\(user.userPrincipalName) is a protected account (policy)")
        }
        guard !policy.protectedGroups.isEmpty else { return nil }
        switch await graph.groups(ofUser: user.id, requestId: attempt.requestId("groups")) {
        case .found(let groups):
            attempt.job.attempts += 1
            if let group = groups.first(where: {
                policy.protectedGroups.contains($0.id.lowercased())
                    || policy.protectedGroups.contains($0.displayName.lowercased())
            }) {
                return try await finish(
                    &attempt, .skipped, code: "protected",
                    "\(user.userPrincipalName) is a member of the protected group \(group.displayName)")
            }
            return nil
        case let other:
            attempt.job.attempts += 1
            // Never act on an account whose protection cannot be checked.
            return try await settle(&attempt, other.failure, reading: "the groups of \(user.userPrincipalName)")
        }
    }

    private func call(_ command: RemediationCommand, user: DirectoryUserFacts, graph: GraphActions, requestId: String)
        async -> ActionResult
    {
        let target = command.target
        switch command.action {
        case .moveMessageToJunk:
            guard let message = target.messageId else { return Self.missing("target.messageId") }
            return await graph.moveMessage(
                mailbox: user.id, messageId: message, to: .junkEmail, requestId: requestId)
        case .deleteMessage:
            guard let message = target.messageId else { return Self.missing("target.messageId") }
            return await graph.deleteMessage(mailbox: user.id, messageId: message, requestId: requestId)
        case .removeInboxRule:
            guard let rule = target.ruleId else { return Self.missing("target.ruleId") }
            return await graph.removeInboxRule(mailbox: user.id, ruleId: rule, requestId: requestId)
        case .disableAccount:
            return await graph.disableAccount(user: user.id, requestId: requestId)
        case .revokeSessions:
            return await graph.revokeSessions(user: user.id, requestId: requestId)
        case .forcePasswordChange:
            return await graph.forcePasswordChange(user: user.id, requestId: requestId)
        case .confirmCompromised:
            return await graph.confirmCompromised(userIds: [user.id], requestId: requestId)
        case .warnUser:
            guard let sender = policy.warningMail.sender else {
                return .failed(message: "the policy names no warningMail.sender", isRetriable: false)
            }
            return await graph.sendWarningMail(
                from: sender, to: [user.userPrincipalName], subject: policy.warningMail.subject,
                body: policy.warningMail.body, requestId: requestId)
        case .clearMailboxForwarding:
            return await ExchangeAdminForwarding().clearForwarding(mailbox: user.userPrincipalName)
        case .approve:
            return .failed(message: "an approval is not carried out against Graph", isRetriable: false)
        }
    }

    private static func missing(_ field: String) -> ActionResult {
        .failed(message: "the command has no \(field)", isRetriable: false)
    }

    /// A read that did not answer: retry when it may pass later, else the final failure.
    private func settle(_ attempt: inout Attempt, _ failure: ReadFailure, reading what: String) async throws
        -> JobResult
    {
        if Task.isCancelled { return .retry(attempt.job, retryAfter: nil, intent: attempt.intent) }
        switch failure {
        case .notFound(let message):
            return try await finish(&attempt, .failed, code: "notFound", "\(what) does not exist: \(message)")
        case .forbidden(let permission, let message):
            return try await finish(
                &attempt, .failed, code: "forbidden",
                "cannot read \(what): grant the action app \(permission). Graph said: \(message)")
        case .throttled(let retryAfter):
            attempt.job.lastProblem = "Graph throttled reading \(what)"
            return .retry(attempt.job, retryAfter: retryAfter, intent: nil)
        case .failed(let message, let isRetriable):
            guard isRetriable else {
                return try await finish(&attempt, .failed, code: "graphError", "cannot read \(what): \(message)")
            }
            attempt.job.lastProblem = message
            return .retry(attempt.job, retryAfter: nil, intent: nil)
        }
    }

    private func expire(_ attempt: inout Attempt) async throws -> JobResult {
        let why = attempt.job.lastProblem.map { " (last: \($0))" } ?? ""
        return try await finish(
            &attempt, .expired, code: "expired",
            "expired at \(attempt.job.command.expiresAt) before it could be carried out\(why)")
    }

    private func finish(
        _ attempt: inout Attempt, _ status: RemediationOutcome.Status, code: String, _ detail: String
    ) async throws -> JobResult {
        var final = outcome(attempt, status, code: code, detail)
        final.completedAt = now()
        final.newMessageId = attempt.newMessageId
        try await writer.write([final])
        logger.notice(
            "remediation \(status.rawValue)",
            metadata: [
                "commandId": "\(final.commandId)", "tenantId": "\(final.tenantId)",
                "action": "\(final.action.rawValue)",
                "code": "\(code)", "attempts": "\(final.attempts)",
            ])
        return .finished(attempt.job, final: final, intent: attempt.intent)
    }

    private func outcome(
        _ attempt: Attempt, _ status: RemediationOutcome.Status, code: String, _ detail: String
    ) -> RemediationOutcome {
        let job = attempt.job
        let command = job.command
        return RemediationOutcome(
            commandId: command.commandId, storyId: command.storyId, tenantId: command.tenantId,
            action: command.action, target: command.target, status: status, code: code, detail: detail,
            attempts: job.attempts, receivedAt: job.receivedAt, startedAt: job.startedAt, completedAt: attempt.now,
            nonce: command.nonce, approvedBy: job.approvedBy)
    }

    /// What a dry run says it would do.
    static func describe(_ command: RemediationCommand, _ user: DirectoryUserFacts) -> String {
        let who = user.userPrincipalName
        switch command.action {
        case .moveMessageToJunk: return "move message \(command.target.messageId ?? "?") of \(who) to Junk Email"
        case .deleteMessage: return "delete message \(command.target.messageId ?? "?") of \(who)"
        case .removeInboxRule: return "remove inbox rule \(command.target.ruleId ?? "?") of \(who)"
        case .clearMailboxForwarding: return "clear the mailbox forwarding of \(who)"
        case .disableAccount: return "disable the account \(who)"
        case .revokeSessions: return "revoke the sign-in sessions of \(who)"
        case .forcePasswordChange: return "require \(who) to change password at next sign-in"
        case .confirmCompromised: return "confirm \(who) compromised in Identity Protection"
        case .warnUser: return "send \(who) the warning mail"
        case .approve: return "approve command \(command.approves ?? "?")"
        }
    }
}

/// The state of one attempt while it runs.
struct Attempt {
    var job: ActionJob
    let now: Date
    var intent: RemediationOutcome?
    var newMessageId: String?

    init(job: ActionJob, now: Date) {
        self.job = job
        self.now = now
    }

    /// The `client-request-id` of one of the command's calls: the write itself (`nil`), or a read.
    func requestId(_ read: String?) -> String {
        GraphRequestID.forCommand(read.map { "\(job.commandId)#\($0)" } ?? job.commandId)
    }
}
