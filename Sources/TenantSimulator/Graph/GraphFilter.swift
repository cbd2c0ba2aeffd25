import Foundation

/// The part of OData `$filter` the simulated Graph understands: comparisons
/// `property op literal` joined by `and`, optionally in parentheses. Anything
/// else (`or`, `not`, functions, lambdas) is refused, as an unsupported query.
struct GraphFilter: Sendable, Hashable {
    enum Operator: String, Sendable, Hashable {
        case eq, ne, gt, ge, lt, le
    }

    enum Literal: Sendable, Hashable {
        case string(String)
        case bool(Bool)
        /// A `DateTimeOffset`, milliseconds since 1970.
        case dateTime(Int64)
        /// Anything else unquoted: a number, a `null`, an enum written without quotes.
        case bare(String)
    }

    struct Clause: Sendable, Hashable {
        /// As written (Graph property names compare case-insensitively).
        var property: String
        var op: Operator
        var literal: Literal

        func isProperty(_ name: String) -> Bool { property.caseInsensitiveCompare(name) == .orderedSame }
    }

    var clauses: [Clause]

    struct ParseError: Error, Sendable, Hashable {
        var message: String
    }

    /// Parses `text`. A `+` between words reads as a space (form encoding); a `+`
    /// between digits stays (a time zone offset).
    static func parse(_ text: String) throws(ParseError) -> GraphFilter {
        let tokens = try tokenize(text)
        var depth = 0
        var words: [Token] = []
        for token in tokens {
            switch token {
            case .open: depth += 1
            case .close:
                depth -= 1
                guard depth >= 0 else { throw ParseError(message: "Unbalanced parentheses in the filter clause.") }
            default: words.append(token)
            }
        }
        guard depth == 0 else { throw ParseError(message: "Unbalanced parentheses in the filter clause.") }
        guard !words.isEmpty else { throw ParseError(message: "The filter clause is empty.") }
        var clauses: [Clause] = []
        var index = 0
        while true {
            guard index + 2 < words.count else {
                throw ParseError(message: "Syntax error: the filter clause ends early.")
            }
            guard case .word(let property) = words[index], Self.isIdentifier(property) else {
                throw ParseError(message: "Syntax error at position \(index): a property name was expected.")
            }
            guard case .word(let opText) = words[index + 1], let op = Operator(rawValue: opText.lowercased()) else {
                throw ParseError(message: "Unsupported operator after '\(property)'.")
            }
            let literal: Literal
            switch words[index + 2] {
            case .quoted(let value): literal = .string(value)
            case .word(let value):
                if value.lowercased() == "true" {
                    literal = .bool(true)
                } else if value.lowercased() == "false" {
                    literal = .bool(false)
                } else if let milliseconds = GraphSupport.parseDateTimeOffset(value) {
                    literal = .dateTime(milliseconds)
                } else {
                    literal = .bare(value)
                }
            default: throw ParseError(message: "Syntax error: a value was expected after '\(opText)'.")
            }
            clauses.append(Clause(property: property, op: op, literal: literal))
            index += 3
            if index == words.count { break }
            guard case .word(let joiner) = words[index], joiner.lowercased() == "and" else {
                throw ParseError(message: "Only 'and' may join filter clauses here.")
            }
            index += 1
        }
        return GraphFilter(clauses: clauses)
    }

    private enum Token: Hashable {
        case word(String)
        case quoted(String)
        case open
        case close
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "/") }
    }

    private static func tokenize(_ text: String) throws(ParseError) -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var current = ""
        var index = 0
        func flush() {
            if !current.isEmpty { tokens.append(.word(current)) }
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "'":
                flush()
                var value = ""
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == "'" {
                        if index + 1 < characters.count, characters[index + 1] == "'" {
                            value.append("'")
                            index += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    value.append(characters[index])
                    index += 1
                }
                guard closed else { throw ParseError(message: "Unterminated string literal in the filter clause.") }
                tokens.append(.quoted(value))
            case "(":
                flush()
                tokens.append(.open)
            case ")":
                flush()
                tokens.append(.close)
            case "+":
                let between =
                    index > 0 && index + 1 < characters.count && characters[index - 1].isNumber
                    && characters[index + 1].isNumber
                if between { current.append(character) } else { flush() }
            default:
                if character.isWhitespace { flush() } else { current.append(character) }
            }
            index += 1
        }
        flush()
        return tokens
    }
}

/// A window on a time property, in the milliseconds of the whole second Graph
/// shows (so a bound copied from a response selects exactly what it showed).
struct TimeBounds: Sendable, Hashable {
    var lower: Int64?
    var lowerInclusive = true
    var upper: Int64?
    var upperInclusive = true

    static let unbounded = TimeBounds()

    /// Narrows the window by a comparison; `false` when `op` is not a range operator.
    mutating func apply(_ op: GraphFilter.Operator, _ milliseconds: Int64) -> Bool {
        switch op {
        case .ge, .gt:
            let inclusive = op == .ge
            if let lower, lower > milliseconds || (lower == milliseconds && !lowerInclusive) { return true }
            lower = milliseconds
            lowerInclusive = inclusive
        case .le, .lt:
            let inclusive = op == .le
            if let upper, upper < milliseconds || (upper == milliseconds && !upperInclusive) { return true }
            upper = milliseconds
            upperInclusive = inclusive
        case .eq:
            return apply(.ge, milliseconds) && apply(.le, milliseconds)
        case .ne:
            return false
        }
        return true
    }

    func isAboveLower(_ milliseconds: Int64) -> Bool {
        guard let lower else { return true }
        return lowerInclusive ? milliseconds >= lower : milliseconds > lower
    }

    func isAboveUpper(_ milliseconds: Int64) -> Bool {
        guard let upper else { return false }
        return upperInclusive ? milliseconds > upper : milliseconds >= upper
    }

    func contains(_ milliseconds: Int64) -> Bool { isAboveLower(milliseconds) && !isAboveUpper(milliseconds) }
}
