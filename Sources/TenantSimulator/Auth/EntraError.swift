public import Foundation

/// A token endpoint failure, rendered the way Entra ID renders it, so client code written against
/// the simulator parses real responses too: the OAuth `error`, an `error_description` that starts
/// with `AADSTSnnnn: ` and ends with trace, correlation and timestamp lines, and the numeric codes.
public struct EntraError: Error, Sendable, Hashable {
    /// The OAuth 2.0 error, e.g. `invalid_client`.
    public var error: String
    /// The AADSTS codes; Entra sends one in practice, but the field is an array on the wire.
    public var codes: [Int]
    /// The text after `AADSTSnnnn: ` and before the trace lines.
    public var message: String
    public var httpStatus: Int
    public var traceId: String
    /// The client's `client-request-id` when it sent one, else a fresh GUID, as Entra does.
    public var correlationId: String
    public var timestamp: Date

    public init(
        error: String,
        codes: [Int],
        message: String,
        httpStatus: Int,
        traceId: String = UUID().uuidString.lowercased(),
        correlationId: String = UUID().uuidString.lowercased(),
        timestamp: Date
    ) {
        self.error = error
        self.codes = codes
        self.message = message
        self.httpStatus = httpStatus
        self.traceId = traceId
        self.correlationId = correlationId
        self.timestamp = timestamp
    }

    /// The first (in practice the only) AADSTS code.
    public var code: Int { codes.first ?? 0 }

    /// `AADSTS7000215: Invalid client secret provided. …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …`
    public var errorDescription: String {
        "AADSTS\(code): \(message)\r\nTrace ID: \(traceId)\r\nCorrelation ID: \(correlationId)\r\n"
            + "Timestamp: \(EntraTime.errorTimestamp(timestamp))"
    }

    public var errorURI: String { "https://login.microsoftonline.com/error?code=\(code)" }

    /// The response body, keys in the order Entra ID sends them.
    public func jsonBody() -> Data {
        OrderedJSON.object([
            "error": .string(error),
            "error_description": .string(errorDescription),
            "error_codes": .array(codes.map(OrderedJSON.int)),
            "timestamp": .string(EntraTime.errorTimestamp(timestamp)),
            "trace_id": .string(traceId),
            "correlation_id": .string(correlationId),
            "error_uri": .string(errorURI),
        ]).serialized()
    }
}

/// The failures the token endpoint can answer with, before the per-request trace ID, correlation ID
/// and timestamp are attached. Messages follow Entra ID's wording where it is known; where the code
/// or wording is a best guess, the case says so.
struct EntraRejection: Sendable, Hashable {
    var error: String
    var code: Int
    var httpStatus: Int
    var message: String

    func rendered(correlationId: String?, at now: Date) -> EntraError {
        EntraError(
            error: error,
            codes: [code],
            message: message,
            httpStatus: httpStatus,
            correlationId: correlationId ?? UUID().uuidString.lowercased(),
            timestamp: now
        )
    }

    private static let certificateDocs =
        "Review the documentation at "
        + "https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."

    static func tenantNotFound(_ tenant: String) -> Self {
        Self(
            error: "invalid_request",
            code: 90002,
            httpStatus: 400,
            message: "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing "
                + "into the correct cloud. Check with your subscription administrator, this may happen if there are no "
                + "active subscriptions for the tenant."
        )
    }

    static func duplicatedParameter(_ name: String) -> Self {
        Self(
            error: "invalid_request",
            code: 9_000_411,
            httpStatus: 400,
            message: "The request is not properly formatted. The parameter '\(name)' is duplicated."
        )
    }

    static func missingParameter(_ name: String) -> Self {
        Self(
            error: "invalid_request",
            code: 900_144,
            httpStatus: 400,
            message: "The request body must contain the following parameter: '\(name)'."
        )
    }

    static func unsupportedGrantType(_ grantType: String) -> Self {
        Self(
            error: "unsupported_grant_type",
            code: 70003,
            httpStatus: 400,
            message: "The app requested an unsupported grant type '\(grantType)'."
        )
    }

    static func applicationNotFound(_ clientId: String, directory: String) -> Self {
        Self(
            error: "unauthorized_client",
            code: 700_016,
            httpStatus: 400,
            message:
                "Application with identifier '\(clientId)' was not found in the directory '\(directory)'. This can "
                + "happen if the application has not been installed by the administrator of the tenant or consented to "
                + "by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        )
    }

    static func invalidScope(_ scope: String) -> Self {
        Self(
            error: "invalid_scope",
            code: 70011,
            httpStatus: 400,
            message: "The provided value for the input parameter 'scope' is not valid. The scope \(scope) is not valid."
        )
    }

    static func scopeWithoutDefault(_ scope: String) -> Self {
        Self(
            error: "invalid_scope",
            code: 1_002_012,
            httpStatus: 400,
            message: "The provided value for scope \(scope) is not valid. Client credential flows must have a scope "
                + "value with /.default suffixed to the resource identifier (application ID URI)."
        )
    }

    /// A well-formed `<resource>/.default` naming a resource with no service principal in the tenant.
    /// Entra answers this with `invalid_resource`, not `invalid_scope`.
    static func resourceNotFound(_ resource: String, directory: String) -> Self {
        Self(
            error: "invalid_resource",
            code: 500_011,
            httpStatus: 400,
            message:
                "The resource principal named \(resource) was not found in the tenant named \(directory). This can "
                + "happen if the application has not been installed by the administrator of the tenant or consented to "
                + "by any user in the tenant. You might have sent your authentication request to the wrong tenant."
        )
    }

    static let missingCredential = Self(
        error: "invalid_client",
        code: 7_000_218,
        httpStatus: 401,
        message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
    )

    /// Both a secret and an assertion. RFC 6749 §2.3 forbids more than one client authentication
    /// method; Entra's exact answer is not known, so this code (InvalidRequest) is a best guess.
    static let conflictingCredentials = Self(
        error: "invalid_request",
        code: 90023,
        httpStatus: 400,
        message: "The request must contain only one of the following parameters: 'client_assertion' or 'client_secret'."
    )

    static func invalidSecret(_ clientId: String) -> Self {
        Self(
            error: "invalid_client",
            code: 7_000_215,
            httpStatus: 401,
            message: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                + "value, not the client secret ID, for a secret added to app '\(clientId)'."
        )
    }

    static func expiredSecret(_ clientId: String) -> Self {
        Self(
            error: "invalid_client",
            code: 7_000_222,
            httpStatus: 401,
            message:
                "The provided client secret keys for app '\(clientId)' are expired. Visit the Azure portal to "
                + "create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate "
                + "credentials for added security: https://aka.ms/certCreds."
        )
    }

    /// A `client_assertion_type` other than jwt-bearer. Code is a best guess (InvalidRequest).
    static func unsupportedAssertionType(_ type: String) -> Self {
        Self(
            error: "invalid_request",
            code: 90023,
            httpStatus: 400,
            message: "The client_assertion_type '\(type)' is not supported. "
                + "Use 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."
        )
    }

    /// Not three base64url segments, JSON that does not decode, a required claim missing, or an
    /// array `aud` (Entra refuses those). Entra's sibling codes 5002727 and 5002738 come back as
    /// `invalid_request` 400, so this one does too.
    static let malformedAssertion = Self(
        error: "invalid_request",
        code: 50027,
        httpStatus: 400,
        message: "JWT token is invalid or malformed."
    )

    static func invalidHeaderType(_ type: String) -> Self {
        Self(
            error: "invalid_request",
            code: 5_002_727,
            httpStatus: 400,
            message: "Invalid JWT header type specified, must be 'JWT' or 'http://openid.net/specs/jwt/1.0'."
        )
    }

    static func unsupportedAlgorithm(_ algorithm: String) -> Self {
        Self(
            error: "invalid_request",
            code: 5_002_738,
            httpStatus: 400,
            message: "Invalid JWT token. '\(algorithm)' is not a supported signature algorithm. Supported signing "
                + "algorithms are: 'RS256,PS256'"
        )
    }

    static func keyNotFound(thumbprint: String, clientId: String) -> Self {
        Self(
            error: "invalid_client",
            code: 700_027,
            httpStatus: 401,
            message:
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key "
                + "used by client: '\(thumbprint)', Please visit the Azure Portal, Graph Explorer or directly use MS "
                + "Graph to see configured keys for app Id '\(clientId)'. Review the documentation at "
                + "https://docs.microsoft.com/en-us/graph/api/application-get to see how to use MS Graph to get "
                + "applications.]"
        )
    }

    static func badSignature(thumbprint: String) -> Self {
        Self(
            error: "invalid_client",
            code: 700_027,
            httpStatus: 401,
            message: "Client assertion contains an invalid signature. [Reason - The provided signature value did not "
                + "match the expected signature value., Thumbprint of key used by client: '\(thumbprint)']"
        )
    }

    static let subjectIsNotIssuer = Self(
        error: "invalid_client",
        code: 50048,
        httpStatus: 401,
        message: "Subject must match the issuer claim in the client assertion."
    )

    /// `iss`/`sub` differ from the `client_id` parameter. The code is from memory of Entra's
    /// responses, not from Microsoft's published table, which does not list it.
    static let issuerIsNotClient = Self(
        error: "invalid_client",
        code: 700_021,
        httpStatus: 401,
        message: "Client assertion application identifier doesn't match 'client_id' parameter. \(certificateDocs)"
    )

    /// Entra's published table names 700023 InvalidResourcelessScope, but the token endpoint is seen
    /// answering an assertion `aud` mismatch with 700023 and this text, so that is what is copied.
    static let wrongAudience = Self(
        error: "invalid_client",
        code: 700_023,
        httpStatus: 401,
        message: "Client assertion audience claim does not match Realm issuer. \(certificateDocs)"
    )

    static func outsideValidTime(now: Date, validFrom: Date, expiresAt: Date) -> Self {
        Self(
            error: "invalid_client",
            code: 700_024,
            httpStatus: 401,
            message: "Client assertion is not within its valid time range. Current time: \(EntraTime.roundTrip(now)), "
                + "assertion valid from \(EntraTime.roundTrip(validFrom)), expiry time of assertion "
                + "\(EntraTime.roundTrip(expiresAt)). Review the documentation at "
                + "https://learn.microsoft.com/entra/identity-platform/certificate-credentials"
        )
    }

    /// A `jti` seen before while its assertion was still valid. Entra publishes no code for this
    /// (and is not known to enforce it); 50027 InvalidJwtToken is the nearest documented reason.
    static func replayedAssertion(_ jti: String) -> Self {
        Self(
            error: "invalid_client",
            code: 50027,
            httpStatus: 401,
            message: "Invalid JWT token. The client assertion with jti '\(jti)' has already been used."
        )
    }
}
