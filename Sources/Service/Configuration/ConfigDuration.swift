import Foundation

/// Durations as the flags spell them (`250ms`, `90s`, `15m`, `4h`, `7d`, or plain seconds), so a
/// value means the same in the file, in the environment and on the command line.
public enum ConfigDuration {
    /// The length in seconds, or nil when `text` is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return value * factor
        }
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        return value
    }

    /// The shortest exact spelling: `4h`, `90s`, `1.5d`.
    public static func describe(_ seconds: Double) -> String {
        for (suffix, factor) in [("d", 86400.0), ("h", 3600), ("m", 60), ("s", 1)]
        where seconds >= factor && (seconds / factor).rounded() == seconds / factor {
            return "\(Int(seconds / factor))\(suffix)"
        }
        return seconds < 1 ? "\(Int((seconds * 1000).rounded()))ms" : "\(seconds)s"
    }

    /// What is wrong with a `since` value: an interval back from now or a UTC time, at most `maximumDays` ago.
    static func sinceProblem(_ text: String, maximumDays: Int, now: Date = Date()) -> String? {
        let limit = Double(maximumDays) * 86400
        if let seconds = seconds(text) {
            return seconds <= limit
                ? nil : "\(text) reaches back more than \(maximumDays) days; use at most \(maximumDays)d"
        }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            return "\"\(text)\" is neither an interval like 3d nor a UTC time like 2026-11-20T00:00:00Z"
        }
        return now.timeIntervalSince(date) <= limit
            ? nil : "\(text) is more than \(maximumDays) days ago; the API keeps \(maximumDays) days"
    }
}
