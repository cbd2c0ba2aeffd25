/// Graph calls by their `client-request-id` header, and how well clients keep to `Retry-After`.
///
/// A client that gives each command one stable request id (and resends that id on every
/// retry) lets a test prove what happened to the command: how often it reached Graph, how
/// often Graph acted, and whether any resend came before the `Retry-After` of a 429 had
/// passed. Every Graph call that carries the header is recorded here (reads too), once past
/// token validation; calls without it only count in ``throttled``.
///
/// `Retry-After` is judged in real (monotonic) time, never on the simulation clock, which a
/// test may hold still or move by hours: a client waits in real seconds.
public struct GraphRequestLedger: Sendable {
    /// What happened to the calls that carried one request id.
    public struct Entry: Sendable, Hashable {
        /// The endpoint of the first call: a ``GraphAPI/WriteEndpoint`` template for a write,
        /// `GET /users/{id}/...` for a read.
        public var endpoint: String
        /// The object of the first call (user, message, rule id; for a read its last path id).
        public var target: String
        /// Calls answered, whatever the status (429s included).
        public var attempts = 0
        /// Calls answered 2xx.
        public var succeeded = 0
        /// Calls the fault plan answered 429 (early retries not included).
        public var throttled = 0
        /// Calls that came back before the `Retry-After` of an earlier 429 for this id had passed.
        public var earlyRetries = 0
        /// The statuses answered, oldest first; the last ``GraphRequestLedger/statusLimit`` only.
        public var statuses: [Int] = []
    }

    /// Entries by request id; the most recent ``idLimit`` ids only.
    public private(set) var entries: [String: Entry] = [:]
    /// Graph calls the fault plan answered 429, with or without a request id.
    public private(set) var throttled = 0
    /// Calls (with a request id) that came before their `Retry-After` had passed.
    public private(set) var earlyRetries = 0
    /// Request ids in the order first seen, to forget the oldest.
    private var order: [String] = []
    /// When each throttled request id may be sent again, in real time.
    private var notBefore: [String: ContinuousClock.Instant] = [:]

    static let idLimit = 10_000
    static let statusLimit = 32

    public init() {}

    /// How long `requestId` must still wait at `now`; `nil` when it may be sent.
    mutating func remainingWait(_ requestId: String, now: ContinuousClock.Instant) -> Duration? {
        guard let deadline = notBefore[requestId] else { return nil }
        guard now < deadline else {
            notBefore[requestId] = nil
            return nil
        }
        return now.duration(to: deadline)
    }

    /// A 429 told the sender of `requestId` to wait `seconds`.
    mutating func mustWait(_ requestId: String, seconds: Int, from now: ContinuousClock.Instant) {
        notBefore[requestId] = now.advanced(by: .seconds(seconds))
    }

    /// How a call was answered, as far as throttling goes.
    enum Throttling {
        case none
        /// The fault plan answered 429.
        case throttled
        /// 429 again: the call came before its `Retry-After` had passed.
        case earlyRetry
    }

    /// Counts one answered Graph call. `requestId` nil: only ``throttled`` may change.
    mutating func record(
        requestId: String?, endpoint: @autoclosure () -> (endpoint: String, target: String), status: Int,
        throttling: Throttling
    ) {
        switch throttling {
        case .throttled: throttled += 1
        case .earlyRetry: earlyRetries += 1
        case .none: break
        }
        guard let requestId else { return }
        if entries[requestId] == nil {
            let first = endpoint()
            entries[requestId] = Entry(endpoint: first.endpoint, target: first.target)
            order.append(requestId)
            forgetOldest()
        }
        entries[requestId]?.record(status: status, throttling: throttling)
    }

    private mutating func forgetOldest() {
        guard order.count > Self.idLimit else { return }
        // Forget a tenth at once, so the array is not shifted on every new id.
        let dropped = order.prefix(order.count - Self.idLimit + Self.idLimit / 10)
        for id in dropped {
            entries[id] = nil
            notBefore[id] = nil
        }
        order.removeFirst(dropped.count)
    }
}

extension GraphRequestLedger.Entry {
    fileprivate mutating func record(status: Int, throttling: GraphRequestLedger.Throttling) {
        attempts += 1
        if (200..<300).contains(status) { succeeded += 1 }
        switch throttling {
        case .throttled: throttled += 1
        case .earlyRetry: earlyRetries += 1
        case .none: break
        }
        statuses.append(status)
        if statuses.count > GraphRequestLedger.statusLimit {
            statuses.removeFirst(statuses.count - GraphRequestLedger.statusLimit)
        }
    }
}
