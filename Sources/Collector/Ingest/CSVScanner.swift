/// One CSV record as it appears in the file.
struct CSVRow: Sendable {
    /// The record's bytes, without its line terminator.
    var raw: [UInt8]
    /// Where each field's content is in `raw`: inside the quotes for a quoted field, `""` escapes kept.
    var fields: [CSVField]
    /// The record's number, counting every record from 1 as a spreadsheet numbers rows.
    var row: Int
    /// The physical line the record starts on (differs from `row` after line breaks inside quotes).
    var line: Int
    /// The first field (from 0) with text after its closing quote (`"abc"x`): the fields are not trustworthy.
    var malformedField: Int?
    /// Set when the scanner gave up on the row (a quote that never closes, a row over the size limit):
    /// `raw` then holds only the row's first line and `fields` is empty.
    var problem: IngestProblem?

    /// An empty line: no bytes at all, so not even an empty quoted field.
    var isBlank: Bool { raw.isEmpty }

    /// A field's content with the CSV quoting undone (`""` becomes `"`).
    func field(_ index: Int) -> [UInt8] {
        let field = fields[index]
        guard field.quoted else { return Array(raw[field.range]) }
        var out: [UInt8] = []
        out.reserveCapacity(field.range.count)
        var start = field.range.lowerBound
        // Copies runs between quotes: a quote inside a well-formed quoted field is the first of a pair.
        while let quote = raw[start..<field.range.upperBound].firstIndex(of: CSVScanner.quote) {
            out.append(contentsOf: raw[start...quote])
            start = min(quote + 2, field.range.upperBound)
        }
        out.append(contentsOf: raw[start..<field.range.upperBound])
        return out
    }

    func text(_ index: Int) -> String { String(decoding: field(index), as: UTF8.self) }
}

struct CSVField: Sendable, Hashable {
    var range: Range<Int>
    var quoted: Bool
}

/// An incremental RFC 4180 reader over bytes that arrive in chunks of any size.
///
/// It works on bytes, not `Character`s, because Swift makes `"\r\n"` one `Character`, and because
/// decoding to `String` first would cost a copy of every byte. Rows are found by a resumable state
/// machine, so a row split across a thousand chunks is scanned once, not a thousand times.
/// Memory stays bounded by the longest row (at most `maxRowBytes`) plus one chunk.
///
/// Lenient where exports are sloppy (CR, LF or CRLF line ends, mixed in one file; a quote inside an
/// unquoted field is kept as text) and strict where data would be lost: text after a closing quote
/// marks the row as malformed, and a quote that never closes is reported for the row's first line
/// only, after which reading resumes on the next line, so one stray quote cannot swallow the
/// rest of the file.
struct CSVScanner: Sendable {
    static let quote = UInt8(ascii: "\"")
    static let comma = UInt8(ascii: ",")
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// Just after a quote inside a quoted field: an escaped `""` or the closing quote.
        case quoteInQuoted
    }

    let maxRowBytes: Int
    /// The header's field count, once known: a multi-line row with another count is re-read line by line.
    var expectedFieldCount: Int?
    private var buffer: [UInt8] = []
    /// Where the current row starts in `buffer`; everything before it is done with.
    private var rowStart = 0
    /// The next byte to look at.
    private var cursor = 0
    private var fieldStart = 0
    private var state = State.fieldStart
    /// Fields of the current row, relative to `rowStart`.
    private var fields: [CSVField] = []
    /// The first field of the current row with text after its closing quote.
    private var malformedField: Int?
    private var nextRow = 1
    private var nextLine = 1
    /// After an oversized line: dropping bytes until the next line break.
    private var skippingLine = false

    init(maxRowBytes: Int) {
        self.maxRowBytes = maxRowBytes
    }

    mutating func append(_ chunk: some Collection<UInt8>) {
        // Drop finished rows only once they are at least half the buffer, so the bytes moved
        // (the unfinished row) never exceed the bytes dropped: amortized O(1) per byte.
        if rowStart > 0, rowStart >= buffer.count / 2 {
            buffer.removeSubrange(0..<rowStart)
            cursor -= rowStart
            fieldStart -= rowStart
            rowStart = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next complete row, or nil when more bytes are needed (or, `atEnd`, when none are left).
    mutating func next(atEnd: Bool) -> CSVRow? {
        while true {
            if skippingLine {
                guard skipToLineBreak(atEnd: atEnd) else { return nil }
                continue
            }
            if let row = scan(atEnd: atEnd) { return row }
            if atEnd { return finish() }
            if buffer.count - rowStart > maxRowBytes { return oversizedRow() }
            return nil
        }
    }

    /// Runs the state machine from `cursor`; returns a row when one ends.
    private mutating func scan(atEnd: Bool) -> CSVRow? {
        let count = buffer.count
        while cursor < count {
            switch state {
            case .fieldStart:
                if buffer[cursor] == Self.quote {
                    cursor += 1
                    fieldStart = cursor
                    state = .quoted
                } else {
                    fieldStart = cursor
                    state = .unquoted
                }
            case .unquoted:
                while cursor < count {
                    let byte = buffer[cursor]
                    if byte == Self.comma || byte == Self.carriageReturn || byte == Self.lineFeed { break }
                    cursor += 1
                }
                guard cursor < count else { return nil }
                if buffer[cursor] == Self.comma {
                    endField(fieldStart..<cursor, quoted: false)
                    cursor += 1
                    state = .fieldStart
                } else {
                    guard let length = terminatorLength(at: cursor, atEnd: atEnd) else { return nil }
                    endField(fieldStart..<cursor, quoted: false)
                    return endRow(at: cursor, terminatorLength: length)
                }
            case .quoted:
                while cursor < count, buffer[cursor] != Self.quote { cursor += 1 }
                guard cursor < count else { return nil }
                cursor += 1
                state = .quoteInQuoted
            case .quoteInQuoted:
                let byte = buffer[cursor]
                if byte == Self.quote {
                    cursor += 1
                    state = .quoted
                } else if byte == Self.comma {
                    endField(fieldStart..<cursor - 1, quoted: true)
                    cursor += 1
                    state = .fieldStart
                } else if byte == Self.carriageReturn || byte == Self.lineFeed {
                    guard let length = terminatorLength(at: cursor, atEnd: atEnd) else { return nil }
                    endField(fieldStart..<cursor - 1, quoted: true)
                    return endRow(at: cursor, terminatorLength: length)
                } else {
                    // `"abc"x`: keep reading to the delimiter as plain text, but the row is not trustworthy.
                    if malformedField == nil { malformedField = fields.count }
                    fieldStart -= 1
                    state = .unquoted
                }
            }
        }
        return nil
    }

    /// 2 for CRLF, 1 for a lone CR or LF; nil when a CR is the last byte so far and an LF may follow.
    private func terminatorLength(at index: Int, atEnd: Bool) -> Int? {
        guard buffer[index] == Self.carriageReturn else { return 1 }
        if index + 1 < buffer.count { return buffer[index + 1] == Self.lineFeed ? 2 : 1 }
        return atEnd ? 1 : nil
    }

    private mutating func endField(_ range: Range<Int>, quoted: Bool) {
        fields.append(CSVField(range: (range.lowerBound - rowStart)..<(range.upperBound - rowStart), quoted: quoted))
    }

    private mutating func endRow(at end: Int, terminatorLength: Int) -> CSVRow {
        let raw = Array(buffer[rowStart..<end])
        let innerLineBreaks = Self.lineBreaks(in: raw)
        // A broken row that runs over several lines was most likely made by a quote left open on its
        // first line, which then paired with a quote of a later row. Only the first line is given up:
        // re-reading from the second line recovers the rows it swallowed. (A quote inside an unquoted
        // field is text, so the tail of a genuine multi-line field re-read this way cannot swallow more.)
        if innerLineBreaks > 0, malformedField != nil {
            return abandonRow(
                reason: "the row runs on over \(innerLineBreaks + 1) lines and then has text after a closing quote: "
                    + "a quote on its first line is probably not closed or not doubled",
                code: .unterminatedQuote)
        }
        if innerLineBreaks > 0, let expectedFieldCount, fields.count != expectedFieldCount {
            return abandonRow(
                reason: "the row runs on over \(innerLineBreaks + 1) lines and then has \(fields.count) fields, "
                    + "expected \(expectedFieldCount): a quote on its first line is probably not closed",
                code: .wrongFieldCount)
        }
        let row = CSVRow(
            raw: raw, fields: fields, row: nextRow, line: nextLine, malformedField: malformedField, problem: nil)
        nextRow += 1
        nextLine += 1 + innerLineBreaks
        cursor = end + terminatorLength
        startRow()
        return row
    }

    private mutating func startRow() {
        rowStart = cursor
        fieldStart = cursor
        fields = []
        malformedField = nil
        state = .fieldStart
    }

    /// The end of the input: the last row may lack a line break, or be cut off inside quotes.
    private mutating func finish() -> CSVRow? {
        switch state {
        case .quoted:
            return abandonRow(
                reason: "a quoted field is never closed: the file ends inside it (a quote missing or not doubled?)",
                code: .unterminatedQuote)
        case .fieldStart:
            // Nothing after the last line break: the end. After a comma: one more, empty field.
            guard !fields.isEmpty else { return nil }
            endField(cursor..<cursor, quoted: false)
        case .unquoted:
            endField(fieldStart..<cursor, quoted: false)
        case .quoteInQuoted:
            endField(fieldStart..<cursor - 1, quoted: true)
        }
        return endRow(at: cursor, terminatorLength: 0)
    }

    /// No row end within `maxRowBytes`: a quote that never closes, or a line far longer than any record.
    private mutating func oversizedRow() -> CSVRow {
        abandonRow(
            reason: "the row does not end within \(maxRowBytes) bytes"
                + (state == .quoted ? " (a quoted field that is never closed?)" : ""),
            code: .tooLarge)
    }

    /// Reports the current row's first physical line as a problem and resumes after it, so the
    /// rows that a runaway quote would otherwise swallow are still read.
    private mutating func abandonRow(reason: String, code: IngestProblem.Code) -> CSVRow {
        var end = rowStart
        while end < buffer.count, buffer[end] != Self.carriageReturn, buffer[end] != Self.lineFeed { end += 1 }
        let raw = Array(buffer[rowStart..<min(end, rowStart + maxRowBytes)])
        let problemRow = CSVRow(
            raw: raw, fields: [], row: nextRow, line: nextLine, malformedField: nil,
            problem: IngestProblem(
                reason: reason + "; the row's first line is skipped and reading goes on with the next line",
                code: code))
        nextRow += 1
        if end < buffer.count {
            nextLine += 1
            cursor = end + (terminatorLength(at: end, atEnd: true) ?? 1)
        } else {
            // The first line itself is longer than what is buffered: drop the rest of it as it comes.
            cursor = end
            skippingLine = true
        }
        startRow()
        return problemRow
    }

    /// Drops bytes up to and including the next line break; false while none has arrived.
    private mutating func skipToLineBreak(atEnd: Bool) -> Bool {
        while cursor < buffer.count, buffer[cursor] != Self.carriageReturn, buffer[cursor] != Self.lineFeed {
            cursor += 1
        }
        defer { startRow() }
        guard cursor < buffer.count else {
            if atEnd { skippingLine = false }
            return atEnd
        }
        guard let length = terminatorLength(at: cursor, atEnd: atEnd) else { return false }
        cursor += length
        nextLine += 1
        skippingLine = false
        return true
    }

    /// Line breaks inside a row (only possible inside quotes): LF, CRLF or a lone CR each count once.
    private static func lineBreaks(in bytes: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == lineFeed {
                count += 1
            } else if bytes[index] == carriageReturn {
                count += 1
                if index + 1 < bytes.count, bytes[index + 1] == lineFeed { index += 1 }
            }
            index += 1
        }
        return count
    }
}
