import Events
public import Foundation
import Synchronization

/// Where the M365 clients read the time: token expiry, client assertion times, the
/// Management API's 7-day window and the server clock skew all depend on it. Tests
/// point it at the simulator's manual clock so nothing has to sleep.
public struct M365Clock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The system's wall clock.
    public static let system = M365Clock { Date() }
}

/// Percent-encoding for the pieces of URLs built here.
enum URLPath {
    // RFC 3986 unreserved characters plus `@` (UPNs as user ids) and `=` (base64 message ids);
    // everything else is escaped so an id can never change the shape of the URL.
    private static let segmentBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@=".utf8)
    // Query values may also keep `:` and `$` unescaped; spaces become %20, never `+`,
    // because Microsoft's servers read `+` literally in some places.
    private static let queryBytes = segmentBytes.union(":$,".utf8)

    static func segment(_ text: String) -> String { escape(text, keeping: segmentBytes) }

    static func queryValue(_ text: String) -> String { escape(text, keeping: queryBytes) }

    static func query(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(queryValue($0.1))" }.joined(separator: "&")
    }

    private static func escape(_ text: String, keeping allowed: Set<UInt8>) -> String {
        var out = ""
        for byte in text.utf8 {
            if allowed.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// Time formats the Microsoft APIs use.
/// Times as Microsoft writes them (Graph, the Management API, audit records).
public enum M365Time {
    /// ISO 8601 as Microsoft writes it: ``MicrosoftTime/parse(_:)``.
    public static func parseISO(_ text: String) -> Date? { MicrosoftTime.parse(text) }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `YYYY-MM-DDTHH:MM:SS` in UTC, seconds rounded down: the Management API's window format.
    static func windowTime(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: floorSecond(date))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`: an OData `DateTimeOffset` literal for Graph filters.
    static func odataTime(_ date: Date) -> String { windowTime(date) + "Z" }

    static func floorSecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// An RFC 7231 `Date` header, `Thu, 20 Nov 2026 07:00:00 GMT`; parsed by hand so the
    /// result does not depend on the process locale.
    static func parseHTTPDate(_ text: String) -> Date? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let words = text.split(separator: " ")
        guard words.count == 6, let day = Int(words[1]),
            let month = months.firstIndex(of: words[2].lowercased()), let year = Int(words[3])
        else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return utc.date(
            from: DateComponents(
                year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]))
    }
}

/// A short, printable excerpt of a body for error messages: enough to act on (an HTML
/// error page, a proxy's text), never the whole body.
enum BodySnippet {
    static func of(_ body: Data, limit: Int = 200) -> String {
        guard !body.isEmpty else { return "(empty body)" }
        var text = ""
        for scalar in String(decoding: body.prefix(limit), as: UTF8.self).unicodeScalars {
            // One line, so the snippet cannot forge extra log lines.
            text.unicodeScalars.append(scalar.properties.isWhitespace ? " " : scalar)
        }
        return body.count > limit ? text + "…" : text
    }
}

/// A value shared by copies of a value-type client: the last clock skew seen.
final class SharedBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
