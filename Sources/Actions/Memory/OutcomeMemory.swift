public import Events
public import Foundation

/// The action worker's memory, rebuilt from `inboxwatch.remediation.outcomes` on every
/// assignment and kept current as the worker writes: the last record of each command id, the
/// nonces already spent, and when each tenant's commands ran (for the caps).
///
/// Bounded: at most `capacity` command ids (the oldest forgotten first) and an hour of run
/// times. A forgotten id is one whose command expired long ago (commands live at most a day),
/// so a replay of it is refused as expired anyway.
public struct OutcomeMemory: Sendable {
    public private(set) var records: [String: RemediationOutcome] = [:]
    private var nonces: [String: String] = [:]
    /// Command ids in the order first recorded, for forgetting the oldest.
    private var order: [String] = []
    private var orderStart = 0
    /// Run times per `tenant/action`, oldest first, within the last hour.
    private var runs: [String: [Date]] = [:]
    public let capacity: Int

    public init(capacity: Int = 500_000) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { records.count }

    public func record(of commandId: String) -> RemediationOutcome? { records[Self.key(commandId)] }

    /// The command id that spent `nonce`, if any.
    public func commandSpending(nonce: String) -> String? { nonces[nonce] }

    /// How many commands of `action` ran in `tenant` in the hour before `now`.
    public func runs(of action: RemediationCommand.Action, tenant: String, before now: Date) -> Int {
        let from = now.addingTimeInterval(-3600)
        return runs[Self.runKey(tenant, action)]?.count { $0 > from && $0 <= now } ?? 0
    }

    /// Marks a nonce spent by a command the worker starts on, before any record of it exists.
    public mutating func spend(nonce: String, by commandId: String) {
        if nonces[nonce] == nil { nonces[nonce] = Self.key(commandId) }
    }

    /// Takes a record read from the topic or just written. A final record is never replaced by
    /// a later non-final one (the topic keeps them in order per id, so that only guards against
    /// our own mistakes).
    public mutating func apply(_ outcome: RemediationOutcome) {
        let key = Self.key(outcome.commandId)
        let previous = records[key]
        if let previous, previous.status.isFinal, !outcome.status.isFinal { return }
        if previous == nil {
            order.append(key)
            forgetOldest()
        }
        records[key] = outcome
        if let nonce = outcome.nonce ?? outcome.heldCommand?.nonce { nonces[nonce] = key }
        // A run counts from its intent: that is when the worker committed to calling Microsoft.
        if outcome.status == .accepted, previous?.status != .accepted {
            let runKey = Self.runKey(outcome.tenantId, outcome.action)
            var times = runs[runKey] ?? []
            let at = outcome.startedAt ?? outcome.completedAt
            times.append(at)
            times.sort()
            let horizon = (times.last ?? at).addingTimeInterval(-3600)
            times.removeAll { $0 <= horizon }
            runs[runKey] = times
        }
    }

    private mutating func forgetOldest() {
        while records.count >= capacity, orderStart < order.count {
            let oldest = order[orderStart]
            orderStart += 1
            if let record = records.removeValue(forKey: oldest), let nonce = record.nonce {
                nonces[nonce] = nil
            }
        }
        if orderStart > 4_096, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    static func key(_ commandId: String) -> String { TopicKeys.outcome(commandID: commandId) }
    static func runKey(_ tenant: String, _ action: RemediationCommand.Action) -> String {
        "\(tenant.lowercased())/\(action.rawValue)"
    }
}
