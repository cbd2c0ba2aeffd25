import Foundation

extension Normalizer {
    /// The folder a rule moves mail to, in the well-known Graph name where there is one, so that
    /// `\RSS Feeds`, `RSS Feeds`, `alice@contoso.com:\RSS Subscriptions` and `rssfeeds` all read
    /// `rssfeeds`. Anything else (a user folder, an opaque Graph folder id) is kept as written,
    /// without the mailbox prefix: an id cannot be resolved without asking Graph.
    enum FolderName {
        /// Spellings (lower-cased, without spaces, dashes and underscores) → well-known name.
        private static let wellKnown: [String: String] = [
            "rssfeeds": "rssfeeds", "rsssubscriptions": "rssfeeds", "archive": "archive",
            "deleteditems": "deleteditems", "junkemail": "junkemail", "junk": "junkemail",
            "conversationhistory": "conversationhistory", "inbox": "inbox", "sentitems": "sentitems",
            "drafts": "drafts", "outbox": "outbox", "clutter": "clutter", "notes": "notes",
            "recoverableitemsdeletions": "recoverableitemsdeletions", "scheduled": "scheduled",
            "syncissues": "syncissues",
        ]

        static func normalize(_ raw: String?) -> String? {
            guard var text = raw?.trimmed(), !text.isEmpty else { return nil }
            // `alice@contoso.com:\Junk Email`, `:\Archive`: the part after the mailbox.
            if let separator = text.range(of: ":\\") { text = String(text[separator.upperBound...]) }
            text = String(text.drop { $0 == "\\" || $0 == "/" }).trimmed()
            guard !text.isEmpty, text.lowercased() != "$null" else { return nil }
            let key = text.lowercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "_" }
            return wellKnown[key] ?? text
        }
    }
}
