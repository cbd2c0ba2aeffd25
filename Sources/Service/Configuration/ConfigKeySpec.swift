/// One key of the schema: where it is, what it must be, whether it is secret, and who reads it.
///
/// A `*` segment stands for a name the operator chooses (a tenant, a key id, a component); a
/// trailing `**` takes the rest of the path (librdkafka property names contain dots).
public struct ConfigKeySpec: Sendable, Hashable {
    public var pattern: String
    public var kind: ConfigValueKind
    /// Never printed; accepted from the environment only.
    public var isSecret: Bool
    /// Set when the key must be present (in the file, the environment or a flag).
    public var isRequired: Bool
    /// The value when nothing sets it, as the worker's flag defaults to it; nil when there is none.
    public var defaultValue: String?
    /// What the key is for, in a few words.
    public var summary: String

    public init(
        _ pattern: String, _ kind: ConfigValueKind, secret: Bool = false, required: Bool = false,
        default defaultValue: String? = nil, _ summary: String
    ) {
        self.pattern = pattern
        self.kind = kind
        self.isSecret = secret
        self.isRequired = required
        self.defaultValue = defaultValue
        self.summary = summary
    }

    var segments: [Substring] { pattern.split(separator: ".") }

    /// Whether a concrete key such as `tenants.contoso.id` is this pattern.
    public func matches(_ key: String) -> Bool {
        let parts = key.split(separator: ".")
        let pattern = segments
        if pattern.last == "**" {
            guard parts.count >= pattern.count else { return false }
            return zip(pattern.dropLast(), parts).allSatisfy { $0 == "*" || $0 == $1 }
        }
        guard parts.count == pattern.count else { return false }
        return zip(pattern, parts).allSatisfy { $0 == "*" || $0 == $1 }
    }

    /// The pattern with its `*` segments filled from `names`, in order.
    func key(names: [String]) -> String {
        var names = names[...]
        return segments.map { segment in
            segment == "*" ? (names.popFirst() ?? "*") : String(segment)
        }.joined(separator: ".")
    }
}
