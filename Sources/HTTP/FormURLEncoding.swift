public import Foundation

/// `application/x-www-form-urlencoded` as browsers and OAuth clients write it (WHATWG URL
/// standard §5): pairs split on `&`, name and value split on the first `=`, `+` means space, and
/// `%XX` is a byte. Malformed escapes are kept literally rather than rejected, as the standard says.
public enum FormURLEncoding {
    /// Every pair in body order, repeats included; empty pieces (`a=1&&b=2`) are skipped.
    public static func pairs(_ body: some DataProtocol) -> [(name: String, value: String)] {
        let bytes = Array(body)
        var result: [(name: String, value: String)] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                result.append((unescape(piece[..<equals]), unescape(piece[(equals + 1)...])))
            } else {
                result.append((unescape(piece), ""))
            }
        }
        return result
    }

    /// The pairs as a dictionary; when a name repeats, the last value wins.
    public static func decode(_ body: some DataProtocol) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in pairs(body) { fields[pair.name] = pair.value }
        return fields
    }

    /// The inverse, for clients building a token request: everything but
    /// `A-Z a-z 0-9 * - . _` is percent-encoded, and space becomes `+`.
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        // Invalid UTF-8 becomes U+FFFD, as the standard's "UTF-8 decode without BOM" does.
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
