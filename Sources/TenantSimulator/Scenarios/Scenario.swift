public import Foundation

/// A story the simulated tenant can tell: an attack (with its ground truth) or
/// benign activity. Scenarios only act through ``ScenarioBuilder``.
public struct Scenario: Sendable {
    /// The name used on the command line (`account-takeover`).
    public var name: String
    public var summary: String
    public var isAttack: Bool
    /// Victims the scenario needs to play in full (its attacked users and its look-alikes).
    /// When the run's even share per attack is smaller, it gets more from the users no share
    /// holds, so every other attack keeps exactly the victims it would have had.
    public var victimsNeeded: Int
    public var play: @Sendable (inout ScenarioBuilder, ScenarioContext) -> Void

    public init(
        name: String, summary: String, isAttack: Bool, victimsNeeded: Int = 0,
        play: @escaping @Sendable (inout ScenarioBuilder, ScenarioContext) -> Void
    ) {
        self.name = name
        self.summary = summary
        self.isAttack = isAttack
        self.victimsNeeded = victimsNeeded
        self.play = play
    }
}

/// What a scenario needs to know about the run it is part of.
public struct ScenarioContext: Sendable {
    /// The span of event times; attacks happen inside it.
    public var start: Date
    public var end: Date
    /// Users no other scenario has claimed: each attack takes its victims from here,
    /// so two scenarios never tell stories about the same user.
    public var victims: [SimulatedUser]
    /// Background events per user per hour.
    public var backgroundRate: Double

    public init(start: Date, end: Date, victims: [SimulatedUser], backgroundRate: Double) {
        self.start = start
        self.end = end
        self.victims = victims
        self.backgroundRate = backgroundRate
    }

    /// A time at `fraction` of the span (0 = start, 1 = end).
    public func time(at fraction: Double) -> Date {
        start.addingTimeInterval(end.timeIntervalSince(start) * fraction)
    }
}
