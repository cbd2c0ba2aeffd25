/// One line of a JSON lines file.
struct JSONLine: Sendable {
    /// The line without its line break (and without a CR before it).
    var bytes: [UInt8]
    var line: Int
    /// Set when the line was too long to keep; `bytes` then holds only its start.
    var problem: IngestProblem?
}

/// Splits bytes that arrive in chunks into lines, skipping blank ones, with bounded memory:
/// a line longer than `maxLineBytes` is reported by its start and the rest of it is dropped.
struct LineSplitter: Sendable {
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var lineStart = 0
    /// Bytes before this are known not to be a line feed.
    private var cursor = 0
    private var nextLine = 1
    private var skippingLine = false

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func append(_ chunk: some Collection<UInt8>) {
        if lineStart > 0, lineStart >= buffer.count / 2 {
            buffer.removeSubrange(0..<lineStart)
            cursor -= lineStart
            lineStart = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next non-blank line, or nil when more bytes are needed (or, `atEnd`, when none are left).
    mutating func next(atEnd: Bool) -> JSONLine? {
        while true {
            while cursor < buffer.count, buffer[cursor] != UInt8(ascii: "\n") { cursor += 1 }
            if skippingLine {
                lineStart = cursor
                guard cursor < buffer.count else {
                    if atEnd { skippingLine = false }
                    return nil
                }
                cursor += 1
                lineStart = cursor
                nextLine += 1
                skippingLine = false
                continue
            }
            if cursor < buffer.count {
                let line = take(lineStart..<cursor)
                cursor += 1
                lineStart = cursor
                if let line { return line }
                continue
            }
            if atEnd {
                guard lineStart < buffer.count else { return nil }
                let line = take(lineStart..<buffer.count)
                lineStart = buffer.count
                return line
            }
            if buffer.count - lineStart > maxLineBytes {
                let start = Array(buffer[lineStart..<lineStart + maxLineBytes])
                skippingLine = true
                return JSONLine(
                    bytes: start, line: nextLine,
                    problem: IngestProblem(
                        reason: "the line is longer than \(maxLineBytes) bytes; the rest of it is skipped",
                        code: .tooLarge))
            }
            return nil
        }
    }

    /// The line in `range`, nil when blank; counts it either way.
    private mutating func take(_ range: Range<Int>) -> JSONLine? {
        defer { nextLine += 1 }
        var end = range.upperBound
        if end > range.lowerBound, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let bytes = buffer[range.lowerBound..<end]
        guard bytes.contains(where: { !AuditRecordInspector.isWhitespace($0) }) else { return nil }
        return JSONLine(bytes: Array(bytes), line: nextLine, problem: nil)
    }
}
