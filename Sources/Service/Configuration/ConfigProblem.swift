/// One thing wrong with a configuration: the full key path, what is wrong and what would be right.
///
/// Problems are collected, never thrown one at a time, so an operator fixes a file in one pass.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The key as the file spells it, such as `tenants.contoso.clientSecretFile`.
    public var key: String
    /// What is wrong and what would be right, never a secret value.
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
