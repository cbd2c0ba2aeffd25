import Foundation

extension String {
    /// How every part of a key or id is compared: trimmed and lower-cased.
    public var keyNormalized: String {
        // Most keys and ids are already lower-case ASCII without spaces around them: seen in one
        // pass, without Foundation's trimming (NSString on Linux) and lower-casing.
        let bytes = utf8
        if let first = bytes.first, let last = bytes.last, first > 0x20, last > 0x20,
            !bytes.contains(where: { $0 >= 0x80 || (0x41...0x5A).contains($0) })
        {
            return self
        }
        return trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
