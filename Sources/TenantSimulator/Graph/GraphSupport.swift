import Events
import Foundation

/// Small deterministic helpers of the simulated Graph: hashing, opaque page
/// tokens, URL building and request bodies.
enum GraphSupport {
    /// FNV-1a over UTF-8: a stable hash (Swift's `Hasher` is seeded per process).
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A generator seeded from `label`, for ids and other values derived from existing ones.
    static func generator(_ label: String) -> SeededGenerator { SeededGenerator(seed: hash(label)) }

    // MARK: Opaque tokens

    /// `$skiptoken` / `$deltatoken` text: the fields as a JSON array, behind a
    /// checksum, in base64url, so a client cannot read or edit it by accident.
    static func encodeToken(_ fields: [String]) -> String {
        let json = OrderedJSON.strings(fields).serialized()
        let checksum = hash(String(decoding: json, as: UTF8.self))
        var bytes = withUnsafeBytes(of: checksum.bigEndian) { Array($0) }
        bytes.append(contentsOf: json)
        return base64url(Data(bytes))
    }

    /// The fields of a token made by ``encodeToken(_:)``; `nil` when it is not one.
    static func decodeToken(_ text: String) -> [String]? {
        guard let data = fromBase64url(text), data.count > 8 else { return nil }
        let bytes = Array(data)
        let checksum = bytes[0..<8].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        let json = Data(bytes[8...])
        guard checksum == hash(String(decoding: json, as: UTF8.self)) else { return nil }
        return try? JSONDecoder().decode([String].self, from: json)
    }

    static func base64url(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func fromBase64url(_ text: String) -> Data? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }

    // MARK: URLs

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:@$".utf8)

    /// Percent-encodes a query value (spaces as `%20`, never `+`).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func query(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    // MARK: Searching sorted arrays

    /// The first index in `0..<count` where `isAfter` holds, for a predicate that is
    /// false then true along the array (a partition point).
    static func partitionPoint(_ count: Int, _ isAfter: (Int) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            if isAfter(middle) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Milliseconds of the second Graph shows for `date` (`graphTime` drops the fraction).
    static func renderedMilliseconds(_ date: Date) -> Int64 {
        let milliseconds = SimTime.milliseconds(date)
        let remainder = ((milliseconds % 1000) + 1000) % 1000
        return milliseconds - remainder
    }

    // MARK: Bodies

    enum Body {
        case empty
        case invalid
        case value(JSONValue)
    }

    static func body(_ request: SimRequest) -> Body {
        let trimmed = request.body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard !trimmed.isEmpty else { return .empty }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: request.body) else { return .invalid }
        return .value(value)
    }

    // MARK: Times in filters

    /// An OData `DateTimeOffset` literal: `2024-01-01T00:00:00Z`, optionally with a
    /// fraction and a `±hh:mm` offset (no offset reads as UTC). Milliseconds since 1970.
    static func parseDateTimeOffset(_ text: String) -> Int64? {
        guard let t = text.firstIndex(of: "T") ?? text.firstIndex(of: "t") else { return nil }
        var clock = Substring(text[text.index(after: t)...])
        var offsetSeconds = 0
        if clock.hasSuffix("Z") || clock.hasSuffix("z") {
            clock = clock.dropLast()
        } else if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = clock[clock.index(after: sign)...].split(separator: ":", omittingEmptySubsequences: false)
            guard offset.count == 2, offset.allSatisfy({ $0.count == 2 }), let hours = Int(offset[0]),
                let minutes = Int(offset[1]), hours <= 23, minutes <= 59
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (clock[sign] == "+" ? 1 : -1)
            clock = clock[..<sign]
        }
        var fractionMilliseconds: Int64 = 0
        if let dot = clock.firstIndex(of: ".") {
            let digits = clock[clock.index(after: dot)...]
            guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return nil
            }
            fractionMilliseconds = Int64(String(digits.prefix(3)).rightPadded(to: 3, with: "0")) ?? 0
            clock = clock[..<dot]
        }
        guard clock.split(separator: ":", omittingEmptySubsequences: false).count >= 2,
            let date = SimTime.parseWindowTime(String(text[..<t]) + "T" + clock)
        else { return nil }
        return SimTime.milliseconds(date) + fractionMilliseconds - Int64(offsetSeconds) * 1000
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    fileprivate func rightPadded(to width: Int, with pad: Character) -> String {
        count >= width ? self : self + String(repeating: pad, count: width - count)
    }
}
