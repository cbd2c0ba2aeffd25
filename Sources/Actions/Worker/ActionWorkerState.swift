public import Events
public import Foundation

/// The action worker's decisions, as a value: which command runs, which is refused, held or
/// answered from the record, when each waiting job is due, how many run at once per mailbox,
/// and which offsets may be committed. No I/O: the worker feeds it what it reads and the
/// executor's results, and carries out what it returns. Tests drive it with their own clock.
public struct ActionWorkerState: Sendable {
    public let policy: ActionPolicy
    let verifier: CommandVerifier
    public private(set) var memory: OutcomeMemory
    /// Jobs not finished, by command id (normalized), running or waiting.
    private var jobs: [String: ActionJob] = [:]
    private var running: Set<String> = []
    private var runningPerMailbox: [String: Int] = [:]
    /// A mailbox Microsoft throttled is left alone until then, by every job.
    private var mailboxNotBefore: [String: Date] = [:]
    private var offsets = OffsetTracker()
    public let limits: Limits

    /// How much runs and waits at once.
    public struct Limits: Sendable, Hashable {
        /// Requests in flight per mailbox (Exchange allows 4 concurrent per app and mailbox).
        public var perMailbox = 4
        public var total = 16
        /// Jobs held in memory (running or waiting) before the worker stops reading commands.
        public var pending = 1_000
        public var firstBackoff: Duration = .seconds(1)
        public var maximumBackoff: Duration = .seconds(60)
        public init() {}
    }

    /// What the worker must do now.
    public enum Step: Sendable, Hashable {
        /// Write these records (outcomes, then a dead letter) before reading on.
        case publish([RemediationOutcome], deadLetter: DeadLetterNote?)
    }

    /// A command that goes to the dead-letter topic, and why.
    public struct DeadLetterNote: Sendable, Hashable {
        public var reason: String
        public var code: String
    }

    public init(
        policy: ActionPolicy, verifier: CommandVerifier, memory: OutcomeMemory = OutcomeMemory(),
        limits: Limits = Limits()
    ) {
        self.policy = policy
        self.verifier = verifier
        self.memory = memory
        self.limits = limits
    }

    public var pendingJobs: Int { jobs.count }
    public var isFull: Bool { jobs.count >= limits.pending }
    public var runningJobs: Int { running.count }

    /// Replaces the memory with one restored from the topic (on assignment); jobs of this
    /// instance stay.
    public mutating func restore(_ restored: OutcomeMemory) {
        memory = restored
    }

    // MARK: Commands

    /// A command record that could not be read at all.
    public mutating func receiveUnreadable(reason: String, source: ActionJob.Source) -> DeadLetterNote {
        offsets.begin(partition: source.partition, offset: source.offset)
        offsets.end(partition: source.partition, offset: source.offset)
        return DeadLetterNote(reason: "the command cannot be read: \(reason)", code: "unreadable")
    }

    /// Decides what to do with a command read at `source`.
    public mutating func receive(
        _ command: RemediationCommand, source: ActionJob.Source, now: Date, killSwitch: Bool
    ) -> [Step] {
        offsets.begin(partition: source.partition, offset: source.offset)
        let steps = decide(command, source: source, now: now, killSwitch: killSwitch)
        if jobs[OutcomeMemory.key(command.commandId)]?.source != source {
            offsets.end(partition: source.partition, offset: source.offset)
        }
        return steps
    }

    private mutating func decide(
        _ command: RemediationCommand, source: ActionJob.Source, now: Date, killSwitch: Bool
    ) -> [Step] {
        let key = OutcomeMemory.key(command.commandId)
        // Seen before: answered from the record, never run again. Nothing is written for the id
        // (its record stands), however the repeat differs.
        if jobs[key] != nil { return [] }
        if let record = memory.record(of: command.commandId) {
            let same =
                record.heldCommand.map { $0 == command } ?? (record.nonce == nil || record.nonce == command.nonce)
            guard same, verifier.problem(with: command) == nil else {
                return [
                    .publish(
                        [],
                        deadLetter: DeadLetterNote(
                            reason:
                                "a different command reuses the id \(command.commandId), which already has a record (\(record.status.rawValue)); not run",
                            code: "idReused"))
                ]
            }
            if record.status == .accepted {
                var job = ActionJob(command: command, mode: .recover, source: source, receivedAt: now)
                job.observedBefore = record.observedBefore
                job.approvedBy = record.approvedBy
                job.startedAt = record.startedAt
                start(job, intent: true)
            } else if command.action == .approve, record.status == .succeeded {
                resumeApproved(by: command, source: source, now: now)
            }
            return []
        }
        if let problem = verifier.problem(with: command) {
            let code = command.signature == nil ? "unsigned" : "forged"
            return refuse(command, .rejected, code: code, problem, now: now, deadLetter: true)
        }
        guard policy.tenants.contains(command.tenantId.lowercased()) else {
            return refuse(
                command, .rejected, code: "unknownTenant",
                "tenant \(command.tenantId) is not one this worker acts in (policy tenants)", now: now, deadLetter: true
            )
        }
        if command.issuedAt > now.addingTimeInterval(policy.clockSkew) {
            return refuse(
                command, .rejected, code: "notYetValid",
                "issued at \(command.issuedAt), in the future beyond the allowed clock skew", now: now, deadLetter: true
            )
        }
        if command.expiresAt.timeIntervalSince(command.issuedAt) > policy.maximumCommandLifetime {
            return refuse(
                command, .rejected, code: "lifetimeTooLong",
                "lives \(Int(command.expiresAt.timeIntervalSince(command.issuedAt)))s, longer than the policy's "
                    + "maximumCommandLifetimeSeconds (\(Int(policy.maximumCommandLifetime)))", now: now,
                deadLetter: true)
        }
        if now >= command.expiresAt {
            return refuse(
                command, .expired, code: "expired", "expired at \(command.expiresAt) before the worker read it",
                now: now, deadLetter: true)
        }
        if let spender = memory.commandSpending(nonce: command.nonce), spender != key {
            return refuse(
                command, .rejected, code: "replayed", "its nonce was already used by command \(spender)", now: now,
                deadLetter: true)
        }
        if command.action == .approve {
            return approve(command, source: source, now: now, killSwitch: killSwitch)
        }
        guard policy.allowedActions.contains(command.action) else {
            return refuse(
                command, .rejected, code: "notAllowed",
                "\(command.action.rawValue) is not among the policy's allowedActions", now: now, deadLetter: true)
        }
        if policy.isProtected(user: command.target.user) {
            return refuse(
                command, .skipped, code: "protected", "\(command.target.user) is a protected account (policy)",
                now: now)
        }
        if killSwitch {
            return hold(command, code: "killSwitch", "the kill switch is on: held until an analyst approves", now: now)
        }
        let dryRun = command.dryRun || policy.mode == .dryRun
        if !dryRun {
            let cap = policy.cap(of: command.action)
            if reservedRuns(of: command.action, tenant: command.tenantId, now: now) >= cap {
                return hold(
                    command, code: "cap",
                    "beyond the cap of \(cap) \(command.action.rawValue) per hour in tenant \(command.tenantId): "
                        + "held until an analyst approves (inboxwatch remediate --approve \(command.commandId))",
                    now: now)
            }
        }
        start(ActionJob(command: command, mode: dryRun ? .dryRun : .execute, source: source, receivedAt: now))
        return []
    }

    private mutating func approve(_ approval: RemediationCommand, source: ActionJob.Source, now: Date, killSwitch: Bool)
        -> [Step]
    {
        let heldId = approval.approves ?? ""
        guard approval.requestedBy.kind == .analyst else {
            return refuse(
                approval, .rejected, code: "notAllowed", "only an analyst approves", now: now, deadLetter: true)
        }
        guard let record = memory.record(of: heldId), record.status == .held, let held = record.heldCommand else {
            let state = memory.record(of: heldId).map { "is \($0.status.rawValue)" } ?? "is unknown to the worker"
            return refuse(approval, .rejected, code: "notHeld", "command \(heldId) \(state), not held", now: now)
        }
        guard held.tenantId.lowercased() == approval.tenantId.lowercased() else {
            return refuse(
                approval, .rejected, code: "unknownTenant", "command \(heldId) is for another tenant", now: now,
                deadLetter: true)
        }
        // The held record came from a topic: its command must still be one a trusted issuer signed.
        if let problem = verifier.problem(with: held) {
            return refuse(
                approval, .rejected, code: "forged", "the held command \(heldId) fails its signature: \(problem)",
                now: now, deadLetter: true)
        }
        if killSwitch {
            return refuse(
                approval, .rejected, code: "killSwitch",
                "the kill switch is on: release it, then approve \(heldId) again", now: now)
        }
        let approvedBy = "\(approval.requestedBy.identity) (approval \(approval.commandId))"
        let done = outcome(
            approval, .succeeded, code: "approved", "approved \(held.action.rawValue) command \(heldId)", now: now)
        memory.apply(done)
        var job = ActionJob(
            command: held, mode: held.dryRun || policy.mode == .dryRun ? .dryRun : .execute, source: source,
            receivedAt: now)
        job.approvedBy = approvedBy
        start(job)
        return [.publish([done], deadLetter: nil)]
    }

    /// An approval read again after a crash: the command it released runs (or is recovered) if
    /// it has no final outcome yet, so an approval is never lost between its record and the run.
    private mutating func resumeApproved(by approval: RemediationCommand, source: ActionJob.Source, now: Date) {
        guard let heldId = approval.approves, jobs[OutcomeMemory.key(heldId)] == nil,
            let record = memory.record(of: heldId), !record.status.isFinal, let held = record.heldCommand
        else { return }
        // The intent of an approved command carries the command too, so it can be recovered here.
        let recovering = record.status == .accepted
        var job = ActionJob(
            command: held,
            mode: recovering ? .recover : (held.dryRun || policy.mode == .dryRun ? .dryRun : .execute),
            source: source, receivedAt: now)
        job.approvedBy = record.approvedBy ?? "\(approval.requestedBy.identity) (approval \(approval.commandId))"
        job.observedBefore = record.observedBefore
        start(job, intent: recovering)
    }

    private func reservedRuns(of action: RemediationCommand.Action, tenant: String, now: Date) -> Int {
        let waiting = jobs.values.count {
            $0.command.action == action && $0.command.tenantId.lowercased() == tenant.lowercased()
                && $0.mode == .execute && !$0.intentRecorded
        }
        return memory.runs(of: action, tenant: tenant, before: now) + waiting
    }

    private mutating func refuse(
        _ command: RemediationCommand, _ status: RemediationOutcome.Status, code: String, _ detail: String, now: Date,
        deadLetter: Bool = false
    ) -> [Step] {
        let refused = outcome(command, status, code: code, detail, now: now)
        memory.apply(refused)
        return [.publish([refused], deadLetter: deadLetter ? DeadLetterNote(reason: detail, code: code) : nil)]
    }

    private mutating func hold(_ command: RemediationCommand, code: String, _ detail: String, now: Date) -> [Step] {
        var held = outcome(command, .held, code: code, detail, now: now)
        held.heldCommand = command
        memory.apply(held)
        return [.publish([held], deadLetter: nil)]
    }

    func outcome(
        _ command: RemediationCommand, _ status: RemediationOutcome.Status, code: String, _ detail: String, now: Date
    ) -> RemediationOutcome {
        RemediationOutcome(
            commandId: command.commandId, storyId: command.storyId, tenantId: command.tenantId,
            action: command.action, target: command.target, status: status, code: code, detail: detail,
            attempts: 0, receivedAt: now, completedAt: now, nonce: command.nonce)
    }

    // MARK: Jobs

    private mutating func start(_ job: ActionJob, intent: Bool = false) {
        var job = job
        job.intentRecorded = intent
        memory.spend(nonce: job.command.nonce, by: job.commandId)
        jobs[OutcomeMemory.key(job.commandId)] = job
        if let source = job.source { offsets.begin(partition: source.partition, offset: source.offset) }
    }

    /// Jobs to start now, marked running: due, within the per-mailbox and total limits. A job
    /// past its expiry comes back in `.expire` mode.
    public mutating func due(now: Date) -> [ActionJob] {
        var started: [ActionJob] = []
        let waiting = jobs.filter { !running.contains($0.key) }.sorted {
            ($0.value.notBefore, $0.value.receivedAt, $0.key) < ($1.value.notBefore, $1.value.receivedAt, $1.key)
        }
        for (key, job) in waiting {
            guard running.count < limits.total else { break }
            guard job.notBefore <= now, mailboxNotBefore[job.mailbox].map({ $0 <= now }) ?? true,
                runningPerMailbox[job.mailbox, default: 0] < limits.perMailbox
            else { continue }
            var ready = job
            if now >= job.command.expiresAt, job.mode != .dryRun { ready.mode = .expire }
            jobs[key] = ready
            running.insert(key)
            runningPerMailbox[job.mailbox, default: 0] += 1
            started.append(ready)
        }
        return started
    }

    /// When the next waiting job may start, if any waits.
    public func nextDue() -> Date? {
        jobs.filter { !running.contains($0.key) }.values.map { job in
            max(job.notBefore, mailboxNotBefore[job.mailbox] ?? job.notBefore)
        }.min()
    }

    /// Takes what the executor reports: records it, frees the job's slot, and either ends the
    /// job or schedules its next attempt.
    public mutating func finish(_ result: JobResult, now: Date) {
        let job: ActionJob
        switch result {
        case .finished(let finished, let final, let intent):
            job = finished
            if let intent { memory.apply(intent) }
            memory.apply(final)
        case .retry(let retried, _, let intent):
            job = retried
            if let intent { memory.apply(intent) }
        }
        let key = OutcomeMemory.key(job.commandId)
        running.remove(key)
        runningPerMailbox[job.mailbox, default: 1] -= 1
        if runningPerMailbox[job.mailbox] == 0 { runningPerMailbox[job.mailbox] = nil }
        switch result {
        case .finished:
            jobs[key] = nil
            if let source = job.source { offsets.end(partition: source.partition, offset: source.offset) }
        case .retry(var next, let retryAfter, _):
            let wait = retryAfter ?? backoff(after: next.attempts)
            next.notBefore = now.addingTimeInterval(wait.seconds)
            if let retryAfter {
                mailboxNotBefore[job.mailbox] = max(
                    mailboxNotBefore[job.mailbox] ?? now, now.addingTimeInterval(retryAfter.seconds))
            }
            jobs[key] = next
        }
        mailboxNotBefore = mailboxNotBefore.filter { $0.value > now }
    }

    /// Exponential, capped; no jitter is needed to be correct, and a deterministic wait is testable.
    func backoff(after attempts: Int) -> Duration {
        let first = limits.firstBackoff.seconds
        let wait = min(limits.maximumBackoff.seconds, first * pow(2, Double(max(0, min(attempts - 1, 20)))))
        return .milliseconds(Int64(wait * 1000))
    }

    // MARK: Offsets and rebalances

    /// Offsets that may be committed now (the next to read per partition).
    public mutating func committable() -> [(partition: Int32, offset: Int64)] { offsets.committable() }

    /// Whether a job read from one of `partitions` is running (a revoke waits for those).
    public func isRunning(inPartitions partitions: Set<Int32>) -> Bool {
        running.contains { jobs[$0]?.source.map { partitions.contains($0.partition) } ?? false }
    }

    /// Drops the waiting jobs of partitions being revoked (the next owner reads their commands
    /// again from the committed offsets); their running jobs finish here first.
    public mutating func release(partitions: Set<Int32>) {
        jobs = jobs.filter { key, job in
            running.contains(key) || !(job.source.map { partitions.contains($0.partition) } ?? false)
        }
    }

    /// Forgets revoked partitions once their running jobs ended and their offsets were committed.
    public mutating func revoke(partitions: Set<Int32>) {
        release(partitions: partitions)
        offsets.drop(partitions: partitions)
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
