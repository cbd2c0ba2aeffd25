import Foundation

extension Normalizer {
    /// Event times as Microsoft writes them: audit `CreationTime` in UTC without a zone
    /// (`2020-02-10T15:13:13`), Graph times with `Z` and up to seven fraction digits, the odd
    /// export with an offset or a space for the `T`. Parsed by hand so the result never depends
    /// on the locale, and kept to whole milliseconds like every time Inboxwatch writes.
    enum EventTime {
        static func parse(_ raw: String) -> Date? {
            let text = Array(raw.trimmingCharacters(in: .whitespaces).utf8)
            var reader = Reader(bytes: text)
            guard let year = reader.digits(4), reader.skip("-"), let month = reader.digits(2), reader.skip("-"),
                let day = reader.digits(2), (1...12).contains(month), (1...daysIn(month, year)).contains(day)
            else { return nil }
            var seconds = 0
            var milliseconds = 0
            var offset = 0
            if reader.skip("T") || reader.skip("t") || reader.skip(" ") {
                guard let hour = reader.digits(2), reader.skip(":"), let minute = reader.digits(2),
                    (0...23).contains(hour), (0...59).contains(minute)
                else { return nil }
                var second = 0
                if reader.skip(":") {
                    guard let value = reader.digits(2), (0...60).contains(value) else { return nil }
                    // A leap second is read as the last ordinary second of its minute.
                    second = min(value, 59)
                    if reader.skip(".") || reader.skip(",") {
                        guard let fraction = reader.fraction() else { return nil }
                        milliseconds = fraction
                    }
                }
                seconds = hour * 3600 + minute * 60 + second
                guard let zone = reader.zone() else { return nil }
                offset = zone
            }
            guard reader.atEnd else { return nil }
            let days = daysFromCivil(year: year, month: month, day: day)
            let total = Int64(days * 86_400 + seconds - offset) * 1000 + Int64(milliseconds)
            return Date(timeIntervalSince1970: Double(total) / 1000)
        }

        private struct Reader {
            let bytes: [UInt8]
            var position = 0

            var atEnd: Bool { position == bytes.count }

            mutating func skip(_ character: Unicode.Scalar) -> Bool {
                guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
                position += 1
                return true
            }

            mutating func digits(_ count: Int) -> Int? {
                guard position + count <= bytes.count else { return nil }
                var value = 0
                for byte in bytes[position..<position + count] {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                }
                position += count
                return value
            }

            /// Fraction digits, truncated to milliseconds.
            mutating func fraction() -> Int? {
                var value = 0
                var count = 0
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                    if count < 3 { value = value * 10 + Int(bytes[position] - UInt8(ascii: "0")) }
                    count += 1
                    position += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<max(count, 3) { value *= 10 }
                return value
            }

            /// Seconds east of UTC; nothing at all means UTC, as audit records are written.
            mutating func zone() -> Int? {
                if atEnd || skip("Z") || skip("z") { return 0 }
                let sign: Int
                if skip("+") {
                    sign = 1
                } else if skip("-") {
                    sign = -1
                } else {
                    return nil
                }
                guard let hours = digits(2) else { return nil }
                _ = skip(":")
                guard let minutes = digits(2), hours <= 23, minutes <= 59 else { return nil }
                return sign * (hours * 3600 + minutes * 60)
            }
        }

        private static func daysIn(_ month: Int, _ year: Int) -> Int {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        // Days since 1970-01-01 in the proleptic Gregorian calendar (Hinnant's algorithm).
        private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
            let shifted = month <= 2 ? year - 1 : year
            let era = (shifted >= 0 ? shifted : shifted - 399) / 400
            let yearOfEra = shifted - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }
    }
}
