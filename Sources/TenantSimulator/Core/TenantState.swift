public import Foundation

/// What clients changed in the tenant through the write endpoints, and a count
/// of every write call, so tests can prove an action ran exactly once.
///
/// The ``SimulatedWorld`` says what happens; this says what the action worker
/// did about it. Reads combine both: a removed rule is gone, a disabled
/// account's later sign-ins fail, a moved message has a new id.
public struct TenantState: Sendable {
    public var disabledAccounts: [String: Date] = [:]
    public var revokedSessions: [String: [Date]] = [:]
    public var passwordChangeRequired: [String: Date] = [:]
    public var confirmedCompromised: [String: Date] = [:]
    public var removedRules: [String: Date] = [:]
    public var deletedMessages: [String: Date] = [:]
    /// Old message id → where it went.
    public var movedMessages: [String: MessageMove] = [:]
    /// Mail the tenant's apps sent through `sendMail` (warnings to users).
    public var sentMail: [SentMail] = []
    public var subscriptions: [ManagementContentType: Subscription] = [:]
    /// Write calls by endpoint and target (`DELETE messageRules` + rule id), successful or not.
    public private(set) var writeCounts: [WriteKey: Int] = [:]
    /// The most recent write calls, oldest first; bounded.
    public private(set) var recentWrites: [WriteRecord] = []
    static let recentWriteLimit = 10_000
    /// Graph calls by `client-request-id`, throttling and early retries.
    public internal(set) var requests = GraphRequestLedger()

    public init() {}

    /// A message moved by `POST …/move`: the old id stops existing.
    public struct MessageMove: Sendable, Hashable {
        public var newId: String
        public var destination: String
        public var at: Date
    }

    public struct SentMail: Sendable, Hashable {
        public var senderUserId: String
        public var subject: String
        public var to: [String]
        public var at: Date
    }

    /// A Management Activity API subscription.
    public struct Subscription: Sendable, Hashable {
        public var enabled: Bool
        public var startedAt: Date
    }

    public struct WriteKey: Sendable, Hashable, Comparable {
        /// `METHOD template`, e.g. `DELETE /users/{id}/mailFolders/inbox/messageRules/{id}`.
        public var endpoint: String
        /// The object written: a user, message or rule id.
        public var target: String

        public static func < (lhs: WriteKey, rhs: WriteKey) -> Bool {
            (lhs.endpoint, lhs.target) < (rhs.endpoint, rhs.target)
        }
    }

    public struct WriteRecord: Sendable, Hashable {
        public var key: WriteKey
        public var status: Int
        public var at: Date
    }

    /// Counts one write call. Called for every write, whatever its answer.
    public mutating func recordWrite(endpoint: String, target: String, status: Int, at: Date) {
        let key = WriteKey(endpoint: endpoint, target: target)
        writeCounts[key, default: 0] += 1
        recentWrites.append(WriteRecord(key: key, status: status, at: at))
        if recentWrites.count > Self.recentWriteLimit {
            recentWrites.removeFirst(recentWrites.count - Self.recentWriteLimit)
        }
    }

    /// Whether `user` was disabled at `time`.
    public func isDisabled(_ userId: String, at time: Date) -> Bool {
        guard let disabledAt = disabledAccounts[userId] else { return false }
        return disabledAt <= time
    }
}
