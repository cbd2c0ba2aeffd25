import Synchronization

/// Whether a worker is ready for work, as named conditions that each component sets: the
/// process is ready only when every registered condition is. `/readyz` serves it.
///
/// Components outside the `Service` module set their condition through a plain callback
/// (``reporter(_:initialReason:)``), so worker libraries never depend on this module.
public final class Readiness: Sendable {
    /// One condition: its name, whether it holds, and why not (or what it last said).
    public struct Condition: Sendable, Hashable, Codable {
        public var name: String
        public var ready: Bool
        public var reason: String
    }

    /// The state of every condition at one moment.
    public struct Report: Sendable, Hashable {
        public var conditions: [Condition]
        public var isReady: Bool { conditions.allSatisfy(\.ready) }
        public var notReady: [Condition] { conditions.filter { !$0.ready } }
    }

    private let conditions = Mutex<[String: Condition]>([:])

    public init() {}

    /// Adds a condition that is not yet true, so the process is not ready until it is set.
    /// Registering a name again keeps its current state.
    public func register(_ name: String, reason: String = "starting") {
        conditions.withLock { all in
            if all[name] == nil { all[name] = Condition(name: name, ready: false, reason: reason) }
        }
    }

    /// Sets a condition, registering it when new.
    public func set(_ name: String, ready: Bool, reason: String = "") {
        conditions.withLock { $0[name] = Condition(name: name, ready: ready, reason: reason) }
    }

    /// Registers `name` and returns the callback a worker library calls with (ready, reason).
    public func reporter(_ name: String, initialReason: String = "starting") -> @Sendable (Bool, String) -> Void {
        register(name, reason: initialReason)
        return { [self] ready, reason in set(name, ready: ready, reason: reason) }
    }

    public var report: Report {
        Report(conditions: conditions.withLock { Array($0.values) }.sorted { $0.name < $1.name })
    }
}
