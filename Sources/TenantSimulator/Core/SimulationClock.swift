public import Foundation

/// The simulator's idea of now: the wall clock (optionally offset), or a manual
/// clock that only moves when a test moves it, so tests never sleep.
public struct SimulationClock: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case wall(offset: TimeInterval)
        case manual(Date)
    }

    public var mode: Mode

    public init(_ mode: Mode) { self.mode = mode }

    public static let wall = SimulationClock(.wall(offset: 0))

    public func now() -> Date {
        switch mode {
        case .wall(let offset): Date().addingTimeInterval(offset)
        case .manual(let date): date
        }
    }

    /// Moves a manual clock forward; moves a wall clock by changing its offset.
    public mutating func advance(by interval: TimeInterval) {
        switch mode {
        case .wall(let offset): mode = .wall(offset: offset + interval)
        case .manual(let date): mode = .manual(date.addingTimeInterval(interval))
        }
    }

    public mutating func set(_ date: Date) {
        switch mode {
        case .wall: mode = .wall(offset: date.timeIntervalSinceNow)
        case .manual: mode = .manual(date)
        }
    }
}
