public import Events
public import Foundation

/// A command the worker has decided to carry out (or to report as a dry run), with what it has
/// done about it so far. Lives until it has a final outcome.
public struct ActionJob: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        /// Call Microsoft (after the protection checks and the intent).
        case execute
        /// Check protection, then report what would be done; change nothing.
        case dryRun
        /// The intent is on record but no outcome: an earlier attempt may have acted. Read the
        /// target back before deciding whether to call.
        case recover
        /// Its expiry passed: record it (after reading back, when an attempt may have acted).
        case expire
    }

    /// Where the command (or the approval that released it) was read, for committing offsets.
    public struct Source: Sendable, Hashable {
        public var partition: Int32
        public var offset: Int64
        public init(partition: Int32, offset: Int64) {
            self.partition = partition
            self.offset = offset
        }
    }

    public var command: RemediationCommand
    public var mode: Mode
    public var source: Source?
    public var receivedAt: Date
    /// Calls made to Microsoft for it so far (reads included).
    public var attempts = 0
    /// Whether `accepted` is on record (written by this worker, or found in its memory).
    public var intentRecorded = false
    /// Whether an attempt may have acted without us knowing (a broken connection, a 5xx).
    public var mayHaveActed = false
    public var startedAt: Date?
    public var approvedBy: String?
    /// Earliest time of the next attempt.
    public var notBefore: Date
    /// The target's state read just before the call, as the intent records it: what tells,
    /// after a crash, whether the call acted (e.g. the sessions' valid-from time).
    public var observedBefore: String?
    /// Why the last attempt did not finish it, for the outcome if it never does.
    public var lastProblem: String?

    public init(command: RemediationCommand, mode: Mode, source: Source?, receivedAt: Date) {
        self.command = command
        self.mode = mode
        self.source = source
        self.receivedAt = receivedAt
        self.notBefore = receivedAt
    }

    /// The mailbox (user) it touches, which bounds its concurrency and shares its throttling.
    public var mailbox: String { "\(command.tenantId.lowercased())/\(command.target.user.lowercased())" }

    public var commandId: String { command.commandId }
}

/// How a job's attempt ended, as the executor reports it.
public enum JobResult: Sendable, Hashable {
    /// It has its final outcome (written). `intent` is the intent written on the way, if any.
    case finished(ActionJob, final: RemediationOutcome, intent: RemediationOutcome?)
    /// Try again: after `retryAfter` when Microsoft said (throttling), else after a backoff.
    case retry(ActionJob, retryAfter: Duration?, intent: RemediationOutcome?)
}
