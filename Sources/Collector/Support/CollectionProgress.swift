public import Foundation

/// How far a collection cycle or backfill has got: windows done of total, records per second
/// and the time left, from an injected clock.
public struct CollectionProgress: Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var windowsDone = 0
    public var windowsTotal = 0
    public var recordsPublished = 0
    public var duplicatesSkipped = 0
    public var deadLettered = 0
    public var blobsFetched = 0
    public var gapsOpen = 0
    public let startedAt: Date
    public var now: Date

    public init(source: String, startedAt: Date) {
        self.source = source
        self.startedAt = startedAt
        self.now = startedAt
    }

    public var recordsPerSecond: Double {
        let elapsed = now.timeIntervalSince(startedAt)
        return elapsed > 0 ? Double(recordsPublished) / elapsed : 0
    }

    /// Time left at the pace of windows so far; nil before the first window is done.
    public var estimatedRemaining: TimeInterval? {
        guard windowsDone > 0, windowsTotal >= windowsDone else { return nil }
        let perWindow = now.timeIntervalSince(startedAt) / Double(windowsDone)
        return perWindow * Double(windowsTotal - windowsDone)
    }

    public var description: String {
        let eta = estimatedRemaining.map { "ETA \(Self.duration($0))" } ?? "ETA -"
        return "\(source): windows \(windowsDone)/\(windowsTotal), \(recordsPublished) records "
            + "(\(Int(recordsPerSecond.rounded()))/s), \(duplicatesSkipped) duplicates skipped, "
            + "\(deadLettered) dead-lettered, \(gapsOpen) gaps, \(eta)"
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
            : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}

/// Receives progress after each window; the CLI draws a line on a terminal or logs it.
public typealias CollectionProgressSink = @Sendable (CollectionProgress) -> Void
