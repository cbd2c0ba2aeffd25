/// An app registration to diagnose: the name the report uses for it, and how it signs in.
public struct DiagnosedApp: Sendable {
    /// `collector app` or `action app`.
    public var name: String
    public var clientId: String
    public var tokens: TokenProvider

    public init(name: String, clientId: String, tokens: TokenProvider) {
        self.name = name
        self.clientId = clientId
        self.tokens = tokens
    }
}
