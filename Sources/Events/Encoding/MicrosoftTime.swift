public import Foundation

/// Times as Microsoft writes them, read one way everywhere: the collectors (windows, cursors,
/// `CreationTime`) and the correlator (event time) must agree on what a record's time is.
///
/// Read without `DateFormatter` or `Calendar`, so the result never depends on the locale or the
/// platform's formatter, and impossible dates (February 30) are refused rather than guessed.
public enum MicrosoftTime {
    /// ISO 8601 as Graph, the Management API and audit exports write times. Parses `YYYY-MM-DDTHH:MM:SS` with optional fractional seconds (any number of digits) and an
    /// optional zone: `Z`, or `+HH:MM` / `-HH:MM`. Without a zone the time is UTC: that is how the
    /// Management API and Purview write `CreationTime` (`2020-02-10T15:13:13`).
    public static func parse(_ text: String) -> Date? {
        var scanner = Digits(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
            let day = scanner.number(2), scanner.skip("T") || scanner.skip("t"),
            let hour = scanner.number(2), scanner.skip(":"), let minute = scanner.number(2), scanner.skip(":"),
            let second = scanner.number(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        var fraction = 0.0
        if scanner.skip(".") {
            // Purview writes seven digits (`.0000000`); only the first nine can matter to a Double.
            var scale = 0.1
            var digitCount = 0
            while let digit = scanner.digit() {
                fraction += Double(digit) * scale
                scale /= 10
                digitCount += 1
            }
            guard digitCount > 0 else { return nil }
        }
        // `Z` or no zone at all: UTC. Otherwise an offset, to subtract.
        var offsetSeconds = 0
        let isZulu = scanner.skip("Z") || scanner.skip("z")
        if !isZulu, let sign = scanner.sign() {
            guard let offsetHours = scanner.number(2), scanner.skip(":"), let offsetMinutes = scanner.number(2),
                offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        guard scanner.atEnd else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// A cursor over ASCII digits and separators.
    private struct Digits {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func digit() -> Int? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                return nil
            }
            defer { index += 1 }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        /// Exactly `count` digits.
        mutating func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's `days_from_civil`: exact for every proleptic Gregorian date. Years here
    /// have four digits, so the era arithmetic never sees a negative year.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
