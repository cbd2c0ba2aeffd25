public import Logging

/// One log event as ordered string fields — time, level, component, message, then the metadata
/// flattened — and its rendering as one line of JSON, logfmt or text.
///
/// Every character that could end or break a line (CR, LF, other control characters, U+2028 and
/// U+2029, which some viewers treat as line breaks) is escaped, so data from outside (a mail
/// subject, a rule name, an attacker's user agent) can neither split an event in two nor forge one.
public struct LogLine: Sendable, Hashable {
    public var fields: [(key: String, value: String)] { storage.map { ($0.key, $0.value) } }
    private var storage: [Field]

    private struct Field: Sendable, Hashable {
        var key: String
        var value: String
    }

    /// The fixed fields every line starts with.
    static let reserved: Set<String> = ["time", "level", "component", "message", "error"]

    public init(
        time: String, level: Logger.Level, component: String, message: String, metadata: Logger.Metadata,
        error: String? = nil
    ) {
        storage = [
            Field(key: "time", value: time), Field(key: "level", value: level.rawValue),
            Field(key: "component", value: component), Field(key: "message", value: message),
        ]
        if let error { storage.append(Field(key: "error", value: error)) }
        var flat: [(String, String)] = []
        for (key, value) in metadata { Self.flatten(key: key, value: value, redacted: false, into: &flat) }
        // Sorted so that the same event is always the same line (diffs, tests, grep).
        for (key, value) in flat.sorted(by: { $0.0 < $1.0 }) {
            // Metadata never hides a fixed field: a clash gets a prefix.
            let name = Self.reserved.contains(key) ? "metadata.\(key)" : key
            storage.append(Field(key: name, value: value))
        }
    }

    /// Nested dictionaries become `parent.child` keys; arrays become one string; a secret key's
    /// value (and everything under it) becomes `<redacted>`.
    private static func flatten(
        key: String, value: Logger.MetadataValue, redacted: Bool, into flat: inout [(String, String)]
    ) {
        let secret = redacted || LogRedaction.isSecret(key: key)
        switch value {
        case .dictionary(let dictionary) where !secret:
            for (child, childValue) in dictionary {
                flatten(key: "\(key).\(child)", value: childValue, redacted: false, into: &flat)
            }
        default:
            flat.append((key, secret ? LogRedaction.placeholder : value.description))
        }
    }

    /// `{"time":"…","level":"info",…}`: one JSON object, every value a string.
    public var json: String {
        var out = "{"
        for (index, field) in storage.enumerated() {
            if index > 0 { out += "," }
            Self.appendJSONString(field.key, to: &out)
            out += ":"
            Self.appendJSONString(field.value, to: &out)
        }
        out += "}"
        return out
    }

    /// `time=… level=info component=… message="…" key=value`.
    public var logfmt: String {
        storage.map { "\(Self.logfmtKey($0.key))=\(Self.logfmtValue($0.value))" }.joined(separator: " ")
    }

    /// `2026-01-02T03:04:05.678Z info  inboxwatch.correlator: message key=value`.
    public var text: String {
        let time = storage[0].value
        let level = storage[1].value.padding(toLength: 8, withPad: " ", startingAt: 0)
        var out = "\(time) \(level) \(storage[2].value): "
        Self.appendEscaped(storage[3].value, to: &out)
        for field in storage.dropFirst(4) {
            out += " \(Self.logfmtKey(field.key))=\(Self.logfmtValue(field.value))"
        }
        return out
    }

    public func rendered(_ format: LogFormat) -> String {
        switch format {
        case .json: json
        case .logfmt: logfmt
        case .text: text
        }
    }

    // MARK: - Escaping

    /// Whether a scalar must not appear raw in a line: C0 and C1 controls, DEL, and the Unicode
    /// line and paragraph separators.
    static func breaksLines(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
            || scalar.value == 0x2029
    }

    static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: appendEscapedScalar(scalar, to: &out)
            }
        }
        out += "\""
    }

    /// Escapes line-breaking scalars the way JSON and logfmt both read them (`\n`, `\u0007`).
    static func appendEscapedScalar(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        default:
            if breaksLines(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    /// A message in text format: unquoted, but with no raw control characters.
    static func appendEscaped(_ text: String, to out: inout String) {
        for scalar in text.unicodeScalars { appendEscapedScalar(scalar, to: &out) }
    }

    /// Quoted when it is empty or holds a space, `=`, `"`, `\` or a control character.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || breaksLines($0)
            }
        guard needsQuotes else { return value }
        var out = ""
        appendJSONString(value, to: &out)
        return out
    }

    /// A key keeps letters, digits and `._-/`; anything else becomes `_` (a key is never quoted).
    static func logfmtKey(_ key: String) -> String {
        guard !key.isEmpty else { return "_" }
        return String(
            String.UnicodeScalarView(
                key.unicodeScalars.map { scalar in
                    let allowed =
                        (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                        || "._-/".unicodeScalars.contains(scalar)
                    return allowed ? scalar : "_"
                }))
    }
}
