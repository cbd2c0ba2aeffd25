import Foundation

/// Splits a JSON array into the exact bytes of each element, without decoding them.
///
/// Collectors keep audit records verbatim and dead-letter the elements that are not records
/// with their original bytes, so a blob is split structurally (strings, escapes, nesting)
/// rather than decoded and re-encoded, which would reorder keys and lose the original text.
enum JSONArraySplitter {
    struct Failure: Error {
        var offset: Int
        var reason: String
    }

    static func split(_ data: Data) throws(Failure) -> [Data] {
        let bytes = [UInt8](data)
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }
        // A UTF-8 byte order mark is tolerated: some proxies add one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            throw Failure(offset: index, reason: "not a JSON array")
        }
        index += 1
        skipWhitespace()
        var elements: [Data] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            skipWhitespace()
            guard index == bytes.count else { throw Failure(offset: index, reason: "text after the array") }
            return elements
        }
        while true {
            skipWhitespace()
            let start = index
            var depth = 0
            var inString = false
            scan: while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inString = false }
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { break scan }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 { break scan }
                default: break
                }
                index += 1
            }
            guard index < bytes.count, !inString, depth == 0 else {
                throw Failure(offset: index, reason: "the array is cut off")
            }
            var end = index
            while end > start, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end - 1]) { end -= 1 }
            guard end > start else { throw Failure(offset: start, reason: "an empty element") }
            elements.append(Data(bytes[start..<end]))
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                skipWhitespace()
                guard index == bytes.count else { throw Failure(offset: index, reason: "text after the array") }
                return elements
            }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw Failure(offset: index, reason: "unexpected '\(Character(Unicode.Scalar(bytes[index])))'")
            }
            index += 1
        }
    }
}
