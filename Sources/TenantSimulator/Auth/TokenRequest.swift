public import Foundation
import HTTP

/// The fields of a `POST /{tenant}/oauth2/v2.0/token` body that the client credentials grant uses.
/// Empty values count as absent: Entra treats `client_secret=` the same as no secret at all.
public struct TokenRequest: Sendable, Hashable {
    public var grantType: String?
    public var clientId: String?
    public var clientSecret: String?
    public var clientAssertionType: String?
    public var clientAssertion: String?
    public var scope: String?
    /// Names that appeared more than once in the body, in order of first repeat. The decoder keeps
    /// the last value, but Entra ID refuses such a request (AADSTS9000411), so the issuer does too.
    public var duplicatedParameters: [String]
    /// The `client-request-id` header, if the client sent one; Entra echoes it as the correlation ID.
    public var clientRequestId: String?

    public init(
        grantType: String? = nil,
        clientId: String? = nil,
        clientSecret: String? = nil,
        clientAssertionType: String? = nil,
        clientAssertion: String? = nil,
        scope: String? = nil,
        duplicatedParameters: [String] = [],
        clientRequestId: String? = nil
    ) {
        self.grantType = grantType
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.clientAssertionType = clientAssertionType
        self.clientAssertion = clientAssertion
        self.scope = scope
        self.duplicatedParameters = duplicatedParameters
        self.clientRequestId = clientRequestId
    }

    /// Parses a form-encoded request body.
    public init(formBody: some DataProtocol, clientRequestId: String? = nil) {
        var fields: [String: String] = [:]
        var duplicated: [String] = []
        for pair in FormURLEncoding.pairs(formBody) {
            if fields[pair.name] != nil, !duplicated.contains(pair.name) { duplicated.append(pair.name) }
            fields[pair.name] = pair.value
        }
        func field(_ name: String) -> String? {
            guard let value = fields[name], !value.isEmpty else { return nil }
            return value
        }
        self.init(
            grantType: field("grant_type"),
            clientId: field("client_id"),
            clientSecret: field("client_secret"),
            clientAssertionType: field("client_assertion_type"),
            clientAssertion: field("client_assertion"),
            scope: field("scope"),
            duplicatedParameters: duplicated,
            clientRequestId: clientRequestId
        )
    }
}
