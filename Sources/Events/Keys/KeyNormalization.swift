import Foundation

extension String {
    /// How every part of a key or id is compared: trimmed and lower-cased.
    public var keyNormalized: String {
        trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
