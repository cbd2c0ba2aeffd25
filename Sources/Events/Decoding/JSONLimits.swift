/// Bounds on JSON accepted from a topic or an API, checked in one pass before
/// any decoder runs, so hostile input (a 10 MB string, 10,000 nested arrays,
/// invalid UTF-8) costs bounded time and memory and ends in a typed error.
public struct JSONLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxDepth: Int
    /// The longest string, in bytes as it appears in the JSON text.
    public var maxStringBytes: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxStringBytes: Int = 256 << 10) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }

    /// Defaults for values on our topics (Microsoft's audit records and Graph resources fit well inside).
    public static let standard = JSONLimits()

    /// Checks size, UTF-8, nesting depth, string length and that strings and
    /// brackets are closed. Does not check the rest of the JSON grammar: the decoder does.
    public func check(_ bytes: some Collection<UInt8>) throws(EventDecodingError) {
        guard bytes.count <= maxBytes else {
            throw EventDecodingError(
                code: .tooLarge, message: "value is \(bytes.count) bytes; at most \(maxBytes) are accepted")
        }
        var scanner = Scanner(limits: self)
        for byte in bytes { try scanner.consume(byte) }
        try scanner.finish()
    }

    /// The same checks over an array, with a tight loop for the common case (ASCII outside
    /// escapes): the per-byte scanner was an eighth of the correlator's time.
    public func check(_ bytes: [UInt8]) throws(EventDecodingError) {
        guard bytes.count <= maxBytes else {
            throw EventDecodingError(
                code: .tooLarge, message: "value is \(bytes.count) bytes; at most \(maxBytes) are accepted")
        }
        let simple = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var depth = 0
            var inString = false
            var stringStart = 0
            var index = 0
            let count = buffer.count
            while index < count {
                let byte = buffer[index]
                if byte >= 0x80 || (inString && byte == UInt8(ascii: "\\")) { return false }
                if inString {
                    if byte == UInt8(ascii: "\"") {
                        inString = false
                        if index - stringStart > maxStringBytes { return false }
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""):
                        inString = true
                        stringStart = index
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                        if depth > maxDepth { return false }
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth < 0 { return false }
                    default: break
                    }
                }
                index += 1
            }
            return !inString && depth == 0
        }
        // Anything else (non-ASCII, escapes, a limit hit, a truncation) goes the careful way,
        // which also says precisely what is wrong.
        if !simple { try check(bytes[...]) }
    }

    /// Walks the bytes once, tracking UTF-8 sequences, strings and bracket depth.
    private struct Scanner {
        let limits: JSONLimits
        var offset = 0
        var depth = 0
        var inString = false
        var escaped = false
        var stringLength = 0
        /// Continuation bytes still expected in the current UTF-8 sequence.
        var pendingContinuations = 0
        /// Bounds for the second byte of a sequence (rules out overlongs and surrogates).
        var secondByteRange: ClosedRange<UInt8> = 0x80...0xBF
        var awaitingSecondByte = false

        init(limits: JSONLimits) { self.limits = limits }

        mutating func consume(_ byte: UInt8) throws(EventDecodingError) {
            defer { offset += 1 }
            try validateUTF8(byte)
            if inString {
                stringLength += 1
                if stringLength > limits.maxStringBytes {
                    throw EventDecodingError(
                        code: .stringTooLong,
                        message: "a string longer than \(limits.maxStringBytes) bytes starts before byte \(offset)")
                }
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                return
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                stringLength = 0
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limits.maxDepth {
                    throw EventDecodingError(
                        code: .tooDeep, message: "nesting deeper than \(limits.maxDepth) levels at byte \(offset)")
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 {
                    throw EventDecodingError(
                        code: .malformedJSON, message: "unbalanced closing bracket at byte \(offset)")
                }
            default:
                break
            }
        }

        mutating func finish() throws(EventDecodingError) {
            if pendingContinuations > 0 {
                throw EventDecodingError(code: .invalidUTF8, message: "the value ends inside a UTF-8 sequence")
            }
            if inString || depth > 0 {
                throw EventDecodingError(
                    code: .malformedJSON,
                    message: "the value ends early (an unclosed string, object or array): truncated?")
            }
        }

        private mutating func validateUTF8(_ byte: UInt8) throws(EventDecodingError) {
            if pendingContinuations > 0 {
                let allowed = awaitingSecondByte ? secondByteRange : 0x80...0xBF
                guard allowed.contains(byte) else { throw invalid() }
                awaitingSecondByte = false
                pendingContinuations -= 1
                return
            }
            switch byte {
            case 0x00...0x7F: return
            case 0xC2...0xDF: expect(1, second: 0x80...0xBF)
            case 0xE0: expect(2, second: 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: expect(2, second: 0x80...0xBF)
            case 0xED: expect(2, second: 0x80...0x9F)
            case 0xF0: expect(3, second: 0x90...0xBF)
            case 0xF1...0xF3: expect(3, second: 0x80...0xBF)
            case 0xF4: expect(3, second: 0x80...0x8F)
            default: throw invalid()
            }
        }

        private mutating func expect(_ continuations: Int, second: ClosedRange<UInt8>) {
            pendingContinuations = continuations
            secondByteRange = second
            awaitingSecondByte = true
        }

        private func invalid() -> EventDecodingError {
            EventDecodingError(code: .invalidUTF8, message: "invalid UTF-8 at byte \(offset)")
        }
    }
}
