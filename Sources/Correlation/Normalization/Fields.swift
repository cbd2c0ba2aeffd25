import Events
import Foundation

extension Normalizer {
    /// A JSON object's members, read as leniently as Microsoft's records need: numbers that
    /// arrive as strings, booleans as `"True"` or `$false`, names whose case differs between
    /// API versions and exports (`ClientIP`, `ClientIp`).
    struct Fields: Sendable {
        let members: [String: JSONValue]

        init(_ members: [String: JSONValue]) {
            self.members = members
        }

        /// Nil unless `value` is an object.
        init?(_ value: JSONValue?) {
            guard case .object(let members)? = value else { return nil }
            self.init(members)
        }

        /// The member of that name; failing that, of that name in another case (the first such
        /// name in sorting order, so the choice never depends on the dictionary's order). A
        /// scan rather than a lower-cased copy of every record: most names are found at once.
        subscript(_ name: String) -> JSONValue? {
            if let value = members[name] { return value }
            var found: (key: String, value: JSONValue)?
            for (key, value) in members where Self.equalIgnoringASCIICase(key, name) {
                if found == nil || key < found!.key { found = (key, value) }
            }
            return found?.value
        }

        static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
            guard lhs.utf8.count == rhs.utf8.count else { return false }
            for (left, right) in zip(lhs.utf8, rhs.utf8) where left != right {
                let foldedLeft = (0x41...0x5A).contains(left) ? left | 0x20 : left
                let foldedRight = (0x41...0x5A).contains(right) ? right | 0x20 : right
                guard foldedLeft == foldedRight else { return false }
            }
            return true
        }

        /// The first of `names` that holds a non-empty scalar, as text (trimmed).
        func text(_ names: String...) -> String? {
            for name in names {
                if let value = self[name], let text = Self.text(value), !text.isEmpty { return text }
            }
            return nil
        }

        func int(_ name: String) -> Int? {
            guard let value = self[name] else { return nil }
            switch value {
            case .integer(let number): return Int(exactly: number)
            case .number(let number): return Int(exactly: number)
            case .string(let text): return Int(text.trimmed())
            default: return nil
            }
        }

        func double(_ name: String) -> Double? {
            guard let value = self[name] else { return nil }
            switch value {
            case .integer(let number): return Double(number)
            case .number(let number): return number.isFinite ? number : nil
            case .string(let text): return Double(text.trimmed())
            default: return nil
            }
        }

        func flag(_ name: String) -> Bool? {
            guard let value = self[name] else { return nil }
            if case .bool(let flag) = value { return flag }
            return Self.text(value).flatMap(Self.flag)
        }

        func object(_ name: String) -> Fields? { Fields(self[name]) }

        func array(_ name: String) -> [JSONValue] {
            if case .array(let items)? = self[name] { items } else { [] }
        }

        /// A scalar as text: numbers without a needless `.0`, booleans as PowerShell prints them,
        /// lists `;`-joined (how Exchange joins multi-valued parameters). Nil for null.
        static func text(_ value: JSONValue) -> String? {
            switch value {
            case .null: return nil
            case .string(let text): return text.trimmed()
            case .integer(let number): return String(number)
            case .number(let number):
                if let whole = Int64(exactly: number) { return String(whole) }
                return number.isFinite ? "\(number)" : nil
            case .bool(let flag): return flag ? "True" : "False"
            case .array(let items): return items.compactMap(text).joined(separator: ";")
            case .object: return value.canonicalText
            }
        }

        /// `True`, `$true`, `1`, `yes` and their opposites; nil for anything else (empty included).
        static func flag(_ text: String) -> Bool? {
            switch text.trimmed().lowercased() {
            case "true", "$true", "1", "yes", "on": true
            case "false", "$false", "0", "no", "off": false
            default: nil
            }
        }

    }
}
