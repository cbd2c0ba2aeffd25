/// How far an ingest has got, for a progress line: bytes, records, problems, rate and time left.
///
/// A pure value: the caller passes in the time from whatever clock it uses (tests a manual one),
/// so the numbers depend only on what was recorded. Rates are averages since the start: an
/// ingest is dominated by steady file reading, and an average does not jump about.
public struct IngestProgress<Instant: InstantProtocol>: Sendable, Hashable
where Instant.Duration == Duration {
    /// All bytes to read (the sum of the file sizes), when known.
    public var totalBytes: Int64?
    public private(set) var bytesRead: Int64 = 0
    /// Records read, usable or not.
    public private(set) var records = 0
    /// Records that came with a problem (to the dead-letter topic).
    public private(set) var problems = 0
    public let startedAt: Instant
    /// When the figures were last updated.
    public private(set) var updatedAt: Instant

    public init(totalBytes: Int64?, startedAt: Instant) {
        self.totalBytes = totalBytes
        self.startedAt = startedAt
        self.updatedAt = startedAt
    }

    /// Counts one record and moves the byte count to `bytesRead` (of all files so far) at `now`.
    public mutating func count(_ record: IngestedRecord, bytesRead: Int64, at now: Instant) {
        records += 1
        if record.problem != nil { problems += 1 }
        update(bytesRead: bytesRead, at: now)
    }

    /// Moves the byte count, e.g. at the end of a file or on a timer between records.
    public mutating func update(bytesRead: Int64, at now: Instant) {
        self.bytesRead = max(self.bytesRead, bytesRead)
        updatedAt = max(updatedAt, now)
    }

    public var elapsed: Duration { startedAt.duration(to: updatedAt) }

    /// Done, from 0 to 1, when the total is known.
    public var fractionDone: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(bytesRead) / Double(totalBytes))
    }

    public var bytesPerSecond: Double? { perSecond(Double(bytesRead)) }

    public var recordsPerSecond: Double? { perSecond(Double(records)) }

    /// Time left at the average rate so far; nil until there is a rate or without a total.
    public var estimatedTimeRemaining: Duration? {
        guard let totalBytes, let rate = bytesPerSecond, rate > 0 else { return nil }
        let seconds = Double(max(0, totalBytes - bytesRead)) / rate
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private var elapsedSeconds: Double {
        let (seconds, attoseconds) = elapsed.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private func perSecond(_ amount: Double) -> Double? {
        let seconds = elapsedSeconds
        return seconds > 0 ? amount / seconds : nil
    }

    /// `312.4 MB of 1.2 GB (26%), 480211 records (3 problems), 41.8 MB/s, 61592 records/s, 0:22 left`.
    public var line: String {
        var parts: [String] = []
        var bytes = Self.bytes(bytesRead)
        if let totalBytes {
            bytes += " of " + Self.bytes(totalBytes)
            if let fractionDone { bytes += " (\(Int(fractionDone * 100))%)" }
        }
        parts.append(bytes)
        parts.append("\(records) records (\(problems) problem\(problems == 1 ? "" : "s"))")
        if let bytesPerSecond, let recordsPerSecond {
            parts.append(Self.bytes(Int64(bytesPerSecond)) + "/s")
            parts.append("\(Int(recordsPerSecond)) records/s")
        }
        if let estimatedTimeRemaining { parts.append(Self.clock(estimatedTimeRemaining) + " left") }
        return parts.joined(separator: ", ")
    }

    /// Decimal units with one decimal, computed by hand so the output never depends on a locale.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var unit = 0
        var scaled = Double(count)
        while scaled >= 1000, unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let tenths = Int((scaled * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `0:07`, `12:34`, `1:02:03`.
    static func clock(_ duration: Duration) -> String {
        let total = max(0, Int(duration.components.seconds))
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(seconds))" : "\(minutes):\(two(seconds))"
    }
}
