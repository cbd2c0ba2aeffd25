import Foundation

extension Normalizer {
    /// Client addresses in the forms audit records use (`1.2.3.4`, `1.2.3.4:5678`,
    /// `[2001:db8::1]:443`, `::ffff:1.2.3.4`, bare IPv6), reduced to the address alone so the
    /// same client always compares equal, whatever port or mapping a record shows.
    enum IPAddress {
        static func normalize(_ raw: String?) -> String? {
            guard var text = raw?.trimmed(), !text.isEmpty else { return nil }
            if text.hasPrefix("[") {
                // `[v6]` or `[v6]:port`.
                guard let close = text.firstIndex(of: "]") else { return nil }
                text = String(text[text.index(after: text.startIndex)..<close])
            } else if text.filter({ $0 == ":" }).count == 1 {
                // One colon is never IPv6: it is IPv4 with a port.
                text = String(text.prefix { $0 != ":" })
            }
            if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
            let lowered = text.lowercased()
            for prefix in ["::ffff:", "0:0:0:0:0:ffff:"] where lowered.hasPrefix(prefix) {
                let rest = String(lowered.dropFirst(prefix.count))
                if isIPv4(rest) { return rest }
            }
            if isIPv4(lowered) { return lowered }
            return isIPv6(lowered) ? lowered : nil
        }

        static func isIPv4(_ text: String) -> Bool {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4
                && parts.allSatisfy { part in
                    (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                        && (Int(part) ?? 256) <= 255
                }
        }

        static func isIPv6(_ text: String) -> Bool {
            guard text.contains(":"), text.count <= 45 else { return false }
            var groups = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            // An embedded IPv4 tail (`64:ff9b::1.2.3.4`) counts as two groups.
            if let last = groups.last, last.contains(".") {
                guard isIPv4(last) else { return false }
                groups.removeLast()
                groups += ["0", "0"]
            }
            let compressed = text.contains("::")
            guard text.components(separatedBy: "::").count <= 2 else { return false }
            guard compressed ? groups.count <= 9 : groups.count == 8 else { return false }
            return groups.allSatisfy { group in group.count <= 4 && group.allSatisfy(\.isHexDigit) }
        }
    }
}
