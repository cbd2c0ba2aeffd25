import Events
import Foundation

extension Normalizer {
    /// An operation's parameters by name, flattened from whichever shape the record used:
    /// an array of `{Name, Value}` (or `{Name, NewValue}` for `ModifiedProperties`), one
    /// PowerShell-style string, `Key=Value; Key=Value` text, or JSON text of any of those.
    /// Names keep the source's spelling; lookups ignore case, as PowerShell does.
    struct ParameterList: Sendable {
        private(set) var values: [String: String] = [:]
        private var byLowercasedName: [String: String] = [:]

        init() {}

        subscript(_ name: String) -> String? {
            byLowercasedName[name.lowercased()].flatMap { values[$0] }
        }

        /// The first of `names` that is present, even with an empty value (a cleared setting).
        func first(_ names: String...) -> String? {
            for name in names {
                if let value = self[name] { return value }
            }
            return nil
        }

        func contains(_ name: String) -> Bool { byLowercasedName[name.lowercased()] != nil }

        /// Adds a parameter unless one of that name is already there: the first shape read wins.
        mutating func add(_ name: String, _ value: String) {
            let name = name.trimmed()
            guard !name.isEmpty, byLowercasedName[name.lowercased()] == nil else { return }
            byLowercasedName[name.lowercased()] = name
            values[name] = value.trimmed()
        }

        /// Reads one field of a record, `field` naming it in case its text has no other structure.
        mutating func read(_ value: JSONValue?, field: String) {
            guard let value else { return }
            switch value {
            case .array(let items):
                for item in items {
                    guard let pair = Fields(item), let name = pair.text("Name") else { continue }
                    let text = (pair["Value"] ?? pair["NewValue"]).flatMap(Fields.text) ?? ""
                    add(name, text)
                }
            case .object(let members):
                for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                    add(name, Fields.text(member) ?? "")
                }
            case .string(let text):
                readText(text, field: field)
            default:
                break
            }
        }

        private mutating func readText(_ raw: String, field: String) {
            let text = raw.trimmed()
            guard !text.isEmpty else { return }
            if text.hasPrefix("-") {
                for argument in PowerShellArguments.parse(text) { add(argument.name, argument.value) }
            } else if text.hasPrefix("[") || text.hasPrefix("{"),
                let decoded = try? BoundedJSONDecoder().decode(JSONValue.self, from: Array(text.utf8)),
                decoded != .string(text)
            {
                read(decoded, field: field)
            } else if let pairs = Self.keyValuePairs(text) {
                for (name, value) in pairs { add(name, value) }
            } else {
                add(field, text)
            }
        }

        /// `ResultStatusDetail=Success; UserAgent=Mozilla/5.0 (Windows NT 10.0; Win64)`: a segment
        /// that does not start with `Name=` belongs to the value before it (user agents hold `;`).
        static func keyValuePairs(_ text: String) -> [(String, String)]? {
            var pairs: [(String, String)] = []
            for segment in text.split(separator: ";", omittingEmptySubsequences: false) {
                let trimmed = segment.drop { $0.isWhitespace }
                if let equals = trimmed.firstIndex(of: "="), !trimmed[..<equals].isEmpty,
                    trimmed[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
                {
                    pairs.append((String(trimmed[..<equals]), String(trimmed[trimmed.index(after: equals)...])))
                } else if let last = pairs.popLast() {
                    pairs.append((last.0, last.1 + ";" + segment))
                } else {
                    return nil
                }
            }
            return pairs.isEmpty ? nil : pairs.map { ($0.0, $0.1.trimmed()) }
        }
    }
}
