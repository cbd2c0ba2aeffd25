import Foundation

/// A configuration value as a provider holds it, before it is checked: one text or a list.
///
/// Every layer (file, environment, flags) reduces to these two shapes, so one checker serves all.
public enum ConfigRawValue: Sendable, Hashable {
    case text(String)
    case list([String])

    /// A list, or a text read as a comma-separated list (how environment variables spell lists).
    public var items: [String] {
        switch self {
        case .list(let items): return items
        case .text(let text):
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// The value as one text; a list is joined by commas.
    public var text: String {
        switch self {
        case .text(let text): return text
        case .list(let items): return items.joined(separator: ",")
        }
    }
}

/// Which layer a value came from; later layers win: file < environment < flags.
public enum ConfigLayer: String, Sendable, Hashable, Comparable {
    case file
    case environment
    case flag

    private var rank: Int {
        switch self {
        case .file: 0
        case .environment: 1
        case .flag: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
