import Foundation

/// The header section of an RFC 5322 message (a `message/rfc822` attachment): unfolded,
/// looked up case-insensitively, with RFC 2047 encoded words decoded.
///
/// Only what a reported message needs is read: `From`, `Subject`, `Message-ID`. The body is
/// never parsed.
public struct MIMEHeaders: Sendable {
    /// Name (lower-cased) and raw value of each field, in order.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Reads the header section of `message` (up to its first empty line). Header bytes that
    /// are not UTF-8 are read as Latin-1, as older mailers wrote them.
    public init(message: [UInt8]) {
        var end = message.count
        var index = 0
        while index < message.count {
            if message[index] == 0x0A {
                let next = index + 1
                if next < message.count && message[next] == 0x0A {
                    end = index
                    break
                }
                if next + 1 < message.count && message[next] == 0x0D && message[next + 1] == 0x0A {
                    end = index
                    break
                }
            }
            index += 1
        }
        let head = Array(message[..<end])
        let text = String(validating: head, as: UTF8.self) ?? String(head.map { Character(Unicode.Scalar($0)) })
        var current: (name: String, value: String)?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let first = line.first, first == " " || first == "\t" {
                // A folded line continues the field before it.
                let continued = line.trimmingCharacters(in: .whitespaces)
                if let value = current?.value { current?.value = value.isEmpty ? continued : value + " " + continued }
                continue
            }
            if let current { fields.append(current) }
            current = nil
            guard let colon = line.firstIndex(of: ":") else { continue }
            current = (
                line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        if let current { fields.append(current) }
    }

    /// The first field named `name`, encoded words decoded.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name == wanted }.map { Self.decodeEncodedWords($0.value) }
    }

    /// The address of a `From`-style field: `"Name" <a@b>` → `a@b`; a bare address as is.
    public static func address(_ value: String) -> String? {
        var text = Substring(value)
        if let close = text.lastIndex(of: ">"), let open = text[..<close].lastIndex(of: "<") {
            text = text[text.index(after: open)..<close]
        }
        let address = text.trimmingCharacters(in: .whitespaces)
        return address.contains("@") ? address : nil
    }

    /// RFC 2047: `=?charset?B|Q?text?=` words decoded; whitespace between two encoded words dropped.
    static func decodeEncodedWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasEncoded = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let word = encodedWord(rest) {
                if !lastWasEncoded { out += pendingSpace }
                out += word.decoded
                pendingSpace = ""
                lastWasEncoded = true
                rest = word.rest
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingSpace.append(character)
                continue
            }
            out += pendingSpace
            pendingSpace = ""
            out.append(character)
            lastWasEncoded = false
        }
        return out + pendingSpace
    }

    private static func encodedWord(_ text: Substring) -> (decoded: String, rest: Substring)? {
        let parts = text.dropFirst(2).split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let end = parts[2].range(of: "?=") else { return nil }
        let charset = parts[0].split(separator: "*").first.map { $0.lowercased() } ?? ""
        let payload = parts[2][..<end.lowerBound]
        let bytes: [UInt8]
        switch parts[1].uppercased() {
        case "B":
            guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters) else { return nil }
            bytes = Array(data)
        case "Q":
            guard let decoded = quotedPrintable(payload) else { return nil }
            bytes = decoded
        default:
            return nil
        }
        let decoded: String?
        switch charset {
        case "utf-8", "utf8", "us-ascii": decoded = String(validating: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "windows-1252": decoded = String(bytes.map { Character(Unicode.Scalar($0)) })
        default: decoded = String(validating: bytes, as: UTF8.self)
        }
        guard let decoded else { return nil }
        return (decoded, parts[2][end.upperBound...])
    }

    private static func quotedPrintable(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "_"): bytes.append(0x20)
            case UInt8(ascii: "="):
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return bytes
    }
}
