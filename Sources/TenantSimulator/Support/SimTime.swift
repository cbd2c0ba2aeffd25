public import Foundation

/// Time formats of the Microsoft APIs, written without `DateFormatter` so that
/// output never depends on the locale or the platform's formatter.
public enum SimTime {
    /// `2020-02-10T15:13:13`: audit `CreationTime`, UTC **without** a zone suffix.
    public static func auditTime(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.date)T\(parts.time)"
    }

    /// `2020-02-10T15:13:13Z`: Graph `createdDateTime` and friends.
    public static func graphTime(_ date: Date) -> String { auditTime(date) + "Z" }

    /// `2020-02-10T15:13:13.123Z`: `contentCreated` / `contentExpiration` of a blob.
    public static func contentTime(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.date)T\(parts.time).\(pad(parts.milliseconds, 3))Z"
    }

    /// `Fri, 20 Nov 2026 01:02:03 +0000`: the `Date` header of a mail message (RFC 5322), always UTC.
    public static func mailDate(_ date: Date) -> String {
        let parts = utcParts(date)
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        // 1970-01-01 was a Thursday.
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((seconds.floorDiv(86_400) % 7) + 7) % 7]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let clock = "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        return "\(weekday), \(parts.day) \(months[parts.month - 1]) \(pad(parts.year, 4)) \(clock) +0000"
    }

    /// Whole milliseconds since 1970, the resolution of every simulated time.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Parses the window formats the Management Activity API accepts:
    /// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS`, each optionally
    /// with fractional seconds and a trailing `Z`. Always UTC.
    public static func parseWindowTime(_ text: String) -> Date? {
        var value = Substring(text)
        if value.hasSuffix("Z") || value.hasSuffix("z") { value = value.dropLast() }
        if let dot = value.firstIndex(of: ".") {
            guard value[value.index(after: dot)...].allSatisfy(\.isASCII) else { return nil }
            value = value[..<dot]
        }
        let halves = value.split(separator: "T", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        let day = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard day.count == 3, day[0].count == 4, day[1].count == 2, day[2].count == 2,
            let year = Int(day[0]), let month = Int(day[1]), let dayOfMonth = Int(day[2]),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(dayOfMonth)
        else { return nil }
        var seconds = 0
        if halves.count == 2 {
            let clock = halves[1].split(separator: ":", omittingEmptySubsequences: false)
            guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
                let hour = Int(clock[0]), let minute = Int(clock[1]), (0...23).contains(hour), (0...59).contains(minute)
            else { return nil }
            let second = clock.count == 3 ? Int(clock[2]) : 0
            guard let second, (0...59).contains(second) else { return nil }
            seconds = hour * 3600 + minute * 60 + second
        }
        let days = daysFromCivil(year: year, month: month, day: dayOfMonth)
        return Date(timeIntervalSince1970: Double(days * 86_400 + seconds))
    }

    /// A UTC calendar date and time, from whole seconds since 1970 plus a fraction.
    struct UTCParts {
        var year, month, day, hour, minute, second: Int
        /// The fraction of the second, in [0, 1).
        var fraction: Double
    }

    /// Splits a date with integer arithmetic. Dates from clients (a JWT's `exp`) can be
    /// absurd: they are clamped to the years 1 to 9999 so no conversion can trap.
    static func utcParts(_ date: Date) -> UTCParts {
        let raw = date.timeIntervalSince1970
        let seconds = raw.isFinite ? min(max(raw, -62_135_596_800), 253_402_300_799.999_999) : 0
        let whole = seconds.rounded(.down)
        let total = Int(whole)
        let days = total.floorDiv(86_400)
        let secondOfDay = total - days * 86_400
        let (year, month, day) = civilFromDays(days)
        return UTCParts(
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60, fraction: seconds - whole)
    }

    private static func components(_ date: Date) -> (date: String, time: String, milliseconds: Int) {
        let totalMilliseconds = milliseconds(date)
        let parts = utcParts(SimTime.date(milliseconds: totalMilliseconds.floorDiv(1000) * 1000))
        let millisecond = Int(totalMilliseconds - totalMilliseconds.floorDiv(1000) * 1000)
        let dateText = "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))"
        let timeText = "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        return (dateText, timeText, millisecond)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil-calendar algorithms: exact for every proleptic Gregorian date.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDiv(400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDiv(146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension BinaryInteger {
    fileprivate func floorDiv(_ divisor: Self) -> Self {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
