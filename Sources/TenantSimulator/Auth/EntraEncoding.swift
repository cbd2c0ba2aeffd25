import Foundation

// Small encoders shared by the token endpoint files. They live in `Entra`-prefixed namespaces rather
// than in extensions on `Data` or `String`, because other parts of this module are written in
// parallel and an extension method of the same name elsewhere would make calls here ambiguous.

/// Base64url without padding (RFC 4648 §5), the alphabet JWS uses for every segment.
enum EntraBase64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes base64url, with or without padding; nil when any character is outside the alphabet.
    /// Standard-alphabet `+` and `/` are refused: a JWS segment that carries them was not produced
    /// by a conforming encoder, and accepting them would make two spellings of one token valid.
    static func decode(_ text: some StringProtocol) -> Data? {
        var body = Substring(text)
        while body.hasSuffix("=") { body.removeLast() }
        guard
            body.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    return true
                default:
                    return false
                }
            })
        else { return nil }
        // A single leftover character can never come from whole bytes.
        guard body.utf8.count % 4 != 1 else { return nil }
        var standard = body.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard)
    }
}

/// The two UTC timestamp spellings Entra ID uses in token endpoint errors. Computed from the epoch
/// with integer arithmetic so the output never depends on the process locale or calendar.
enum EntraTime {
    /// `2016-01-09 02:02:12Z`, as in `timestamp` and the `Timestamp:` line of `error_description`.
    static func errorTimestamp(_ date: Date) -> String {
        let parts = utcParts(date)
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2)) "
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))Z"
    }

    /// `2024-10-02T22:05:03.6755165Z`, with seven fractional digits as .NET's round-trip format
    /// writes them; AADSTS700024 quotes the current time and the assertion's window this way.
    static func roundTrip(_ date: Date) -> String {
        let parts = utcParts(date)
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(parts.ticks, 7))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func utcParts(
        _ date: Date
    ) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, ticks: Int) {
        let parts = SimTime.utcParts(date)
        let ticks = min(Int((parts.fraction * 10_000_000).rounded(.down)), 9_999_999)
        return (parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second, ticks)
    }
}
