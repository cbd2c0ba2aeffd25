import Events
import Foundation

extension Normalizer {
    /// Recipient lists as Exchange writes them, reduced to comparable addresses: `smtp:` /
    /// `SMTP:` prefixes dropped, display names (`"Bob" <bob@x.com>`, `"Bob" [SMTP:bob@x.com]`)
    /// reduced to the address, lists split on `;` and `,` outside quotes and brackets,
    /// lower-cased. An entry with no address (an `[EX:/o=…]` legacy DN, an alias) is kept
    /// lower-cased as it is: it names an internal recipient, which is what a detection must know.
    enum AddressList {
        static func parse(_ text: String?) -> [String] {
            guard let text = text?.trimmed(), !text.isEmpty else { return [] }
            if text.hasPrefix("["), text.contains("\""),
                case .array(let items)? = try? BoundedJSONDecoder().decode(JSONValue.self, from: Array(text.utf8))
            {
                return unique(items.compactMap { $0.stringValue.flatMap(address) })
            }
            return unique(split(text).compactMap(address))
        }

        /// Several lists, in order, without repeats.
        static func parse(_ texts: [String?]) -> [String] {
            unique(texts.flatMap { parse($0) })
        }

        /// One recipient: the address in it, or the entry itself lower-cased; nil when empty.
        static func address(_ raw: String) -> String? {
            var text = raw.trimmed()
            // A PowerShell hashtable (`@{Add="bob@x.com"}`) names the recipients after `=`.
            if text.hasPrefix("@{"), let equals = text.firstIndex(of: "=") {
                text = String(text[text.index(after: equals)...].dropLast(text.hasSuffix("}") ? 1 : 0))
                    .trimmed()
            }
            if let inner = enclosed(text, "<", ">") ?? enclosed(text, "[", "]") { text = inner }
            text = text.trimmed { $0 == "\"" || $0 == "'" || $0 == " " || $0 == "\t" }
            let lowered = text.lowercased()
            for prefix in ["smtp:", "mailto:"] where lowered.hasPrefix(prefix) {
                return nonEmpty(String(lowered.dropFirst(prefix.count)))
            }
            return lowered == "$null" ? nil : nonEmpty(lowered)
        }

        /// The text inside the last `open…close`, when the entry has one (`"Bob" <bob@x.com>`).
        private static func enclosed(_ text: String, _ open: Character, _ close: Character) -> String? {
            guard let start = text.lastIndex(of: open), let end = text.lastIndex(of: close), start < end else {
                return nil
            }
            let inner = text[text.index(after: start)..<end].trimmed()
            return inner.isEmpty ? nil : inner
        }

        /// Splits on `;` and `,` that are not inside quotes, `<…>`, `[…]` or `{…}`.
        static func split(_ text: String) -> [String] {
            var parts: [String] = []
            var current = ""
            var quote: Character?
            var depth = 0
            for character in text {
                if let open = quote {
                    if character == open { quote = nil }
                    current.append(character)
                    continue
                }
                switch character {
                case "\"": quote = character
                case "<", "[", "{": depth += 1
                case ">", "]", "}": depth = max(0, depth - 1)
                case ";" where depth == 0, "," where depth == 0:
                    parts.append(current)
                    current = ""
                    continue
                default: break
                }
                current.append(character)
            }
            parts.append(current)
            return parts
        }

        static func unique(_ items: [String]) -> [String] {
            var seen = Set<String>()
            return items.filter { seen.insert($0).inserted }
        }

        private static func nonEmpty(_ text: String) -> String? {
            let trimmed = text.trimmed()
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    /// Words a rule's conditions look for, from lists split on `;` and `,`, lower-cased so
    /// detections compare them without caring how the attacker typed them.
    enum Keywords {
        static func parse(_ texts: [String?]) -> [String] {
            AddressList.unique(
                texts.compactMap { $0 }.flatMap { AddressList.split($0) }.compactMap { raw in
                    let word = raw.trimmed { $0 == "\"" || $0 == "'" || $0.isWhitespace }.lowercased()
                    return word.isEmpty || word == "$null" ? nil : word
                })
        }
    }
}
