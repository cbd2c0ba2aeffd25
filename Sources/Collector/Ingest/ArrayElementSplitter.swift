/// One element of a JSON array.
struct ArrayElement: Sendable {
    /// The element's bytes exactly, without surrounding whitespace.
    var bytes: [UInt8]
    /// Its position in the file, counting elements of every array from 1.
    var index: Int
    /// The line it starts on.
    var line: Int
    /// Set when the element is empty, too long to keep, cut off, or when text follows the array.
    var problem: IngestProblem?
}

/// Splits a JSON array (the Management API's content blob format) into the exact bytes of its
/// elements as chunks arrive, without decoding them: strings, escapes and nesting are tracked,
/// nothing else. Arrays may follow one another (`cat blob1.json blob2.json`).
///
/// Memory is bounded by the largest element kept (`maxElementBytes`); a larger element is reported
/// by its start and the rest of it is scanned and dropped, so the elements after it still come out.
struct ArrayElementSplitter: Sendable {
    private enum State {
        /// Outside any array: whitespace, then `[`.
        case betweenArrays
        /// After `[` or `,`: whitespace, then an element (or `]` right after `[`).
        case beforeElement(first: Bool)
        case inElement
        /// Text after the last array that is not an array: reported once, then ignored.
        case done
    }

    let maxElementBytes: Int
    private var buffer: [UInt8] = []
    private var cursor = 0
    private var elementStart = 0
    private var state = State.betweenArrays
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var line = 1
    private var elementLine = 1
    private var elementCount = 0
    /// The current element was too long and has been reported: its bytes are dropped as they come.
    private var skippingElement = false

    init(maxElementBytes: Int) {
        self.maxElementBytes = maxElementBytes
    }

    mutating func append(_ chunk: some Collection<UInt8>) {
        let keep: Int
        if case .inElement = state, !skippingElement { keep = elementStart } else { keep = cursor }
        if keep > 0, keep >= buffer.count / 2 {
            buffer.removeSubrange(0..<keep)
            cursor -= keep
            elementStart -= keep
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next element, or nil when more bytes are needed (or, `atEnd`, when none are left).
    mutating func next(atEnd: Bool) -> ArrayElement? {
        while cursor < buffer.count {
            let byte = buffer[cursor]
            switch state {
            case .done:
                cursor = buffer.count
            case .betweenArrays:
                if isWhitespace(byte) {
                    advance(byte)
                } else if byte == UInt8(ascii: "[") {
                    advance(byte)
                    state = .beforeElement(first: true)
                } else {
                    state = .done
                    return trailingText()
                }
            case .beforeElement(let first):
                if isWhitespace(byte) {
                    advance(byte)
                } else if byte == UInt8(ascii: "]") && first {
                    advance(byte)
                    state = .betweenArrays
                } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") {
                    advance(byte)
                    state = byte == UInt8(ascii: ",") ? .beforeElement(first: false) : .betweenArrays
                    elementCount += 1
                    return ArrayElement(
                        bytes: [], index: elementCount, line: line,
                        problem: IngestProblem(
                            reason: "the array has an empty element (two commas, or a comma before ])",
                            code: .malformedJSON))
                } else {
                    elementStart = cursor
                    elementLine = line
                    depth = 0
                    inString = false
                    escaped = false
                    skippingElement = false
                    state = .inElement
                }
            case .inElement:
                if let element = scanElement() { return element }
            }
        }
        if atEnd { return finish() }
        if case .inElement = state, !skippingElement, cursor - elementStart > maxElementBytes {
            skippingElement = true
            elementCount += 1
            return ArrayElement(
                bytes: Array(buffer[elementStart..<elementStart + maxElementBytes]), index: elementCount,
                line: elementLine,
                problem: IngestProblem(
                    reason: "the element is longer than \(maxElementBytes) bytes; the rest of it is skipped",
                    code: .tooLarge))
        }
        return nil
    }

    /// Scans the current element from `cursor`; returns it when a `,` or `]` at depth 0 ends it.
    private mutating func scanElement() -> ArrayElement? {
        while cursor < buffer.count {
            let byte = buffer[cursor]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                advance(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}") where depth > 0, UInt8(ascii: "]") where depth > 0:
                depth -= 1
            case UInt8(ascii: ",") where depth == 0, UInt8(ascii: "]") where depth == 0:
                let end = cursor
                advance(byte)
                state = byte == UInt8(ascii: ",") ? .beforeElement(first: false) : .betweenArrays
                return endElement(at: end)
            default:
                break
            }
            advance(byte)
        }
        return nil
    }

    private mutating func endElement(at end: Int) -> ArrayElement? {
        guard !skippingElement else {
            skippingElement = false
            return nil
        }
        var last = end
        while last > elementStart, isWhitespace(buffer[last - 1]) { last -= 1 }
        elementCount += 1
        return ArrayElement(bytes: Array(buffer[elementStart..<last]), index: elementCount, line: elementLine)
    }

    private mutating func finish() -> ArrayElement? {
        switch state {
        case .betweenArrays, .done:
            return nil
        case .beforeElement:
            state = .done
            elementCount += 1
            return ArrayElement(
                bytes: [], index: elementCount, line: line,
                problem: IngestProblem(
                    reason: "the file ends before the array is closed (cut off?)", code: .truncated))
        case .inElement:
            state = .done
            let wasSkipping = skippingElement
            skippingElement = false
            guard !wasSkipping else { return nil }
            elementCount += 1
            return ArrayElement(
                bytes: Array(buffer[elementStart..<buffer.count]), index: elementCount, line: elementLine,
                problem: IngestProblem(
                    reason: "the file ends inside this element: the array is cut off", code: .truncated))
        }
    }

    private mutating func trailingText() -> ArrayElement {
        let end = min(buffer.count, cursor + 1024)
        elementCount += 1
        return ArrayElement(
            bytes: Array(buffer[cursor..<end]), index: elementCount, line: line,
            problem: IngestProblem(
                reason: "text after the end of the array, where only whitespace or another array may follow; "
                    + "the rest of the file is ignored",
                code: .malformedJSON))
    }

    private mutating func advance(_ byte: UInt8) {
        if byte == UInt8(ascii: "\n") { line += 1 }
        cursor += 1
    }

    private func isWhitespace(_ byte: UInt8) -> Bool { AuditRecordInspector.isWhitespace(byte) }
}
