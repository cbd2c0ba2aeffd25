import HTTP

/// Why no access token could be had, with Entra ID's own code and words, so a person can
/// act on it ("AADSTS7000215: Invalid client secret provided" says more than "401").
public struct TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The secret or certificate was refused (`invalid_client`): wrong secret, unknown key,
        /// bad signature, assertion out of its time range.
        public static let invalidClient = Code(name: "invalidClient")
        /// The client secret has expired (AADSTS7000222): create a new one, or move to a certificate.
        public static let expiredSecret = Code(name: "expiredSecret")
        /// The app is not registered (or not consented) in the tenant (`unauthorized_client`, AADSTS700016).
        public static let unauthorizedClient = Code(name: "unauthorizedClient")
        /// The scope is not `<resource>/.default` or is otherwise refused (`invalid_scope`).
        public static let invalidScope = Code(name: "invalidScope")
        /// The resource has no service principal in the tenant (`invalid_resource`, AADSTS500011).
        public static let invalidResource = Code(name: "invalidResource")
        /// No such tenant in this cloud (AADSTS90002).
        public static let tenantNotFound = Code(name: "tenantNotFound")
        /// The request was malformed (`invalid_request`), which is a bug here or a proxy's doing.
        public static let invalidRequest = Code(name: "invalidRequest")
        /// Entra ID is unavailable or answered 5xx (`temporarily_unavailable`); retry later.
        public static let serviceUnavailable = Code(name: "serviceUnavailable")
        /// The token endpoint could not be reached (connection, TLS, timeout, retries spent).
        public static let transport = Code(name: "transport")
        /// A 200 without a usable token, or an error body that is not Entra's JSON.
        public static let unexpectedResponse = Code(name: "unexpectedResponse")
        /// The client assertion could not be signed with the configured key.
        public static let signingFailed = Code(name: "signingFailed")
        /// Any other OAuth error Entra answers with.
        public static let other = Code(name: "other")
    }

    public var code: Code
    /// Entra's text (`AADSTS…: …`, first line only) or what went wrong locally.
    public var message: String
    /// The AADSTS number, e.g. 7000215, when Entra sent one.
    public var aadsts: Int?
    /// The OAuth `error`, e.g. `invalid_client`.
    public var oauthError: String?
    /// The token endpoint's HTTP status, when it answered.
    public var httpStatus: Int?
    /// Whether asking again later may succeed. Bad credentials never do; outages may.
    public var isRetriable: Bool

    public init(
        code: Code, message: String, aadsts: Int? = nil, oauthError: String? = nil, httpStatus: Int? = nil,
        isRetriable: Bool
    ) {
        self.code = code
        self.message = message
        self.aadsts = aadsts
        self.oauthError = oauthError
        self.httpStatus = httpStatus
        self.isRetriable = isRetriable
    }

    public var description: String {
        "token \(code)\(httpStatus.map { " (HTTP \($0))" } ?? ""): \(message)"
    }

    init(_ error: HTTPError) {
        self.init(
            code: error.code == .retriesExhausted && (error.lastStatus ?? 0) >= 500 ? .serviceUnavailable : .transport,
            message: "token endpoint: \(error)", httpStatus: error.lastStatus, isRetriable: error.isRetriable)
    }

    /// Reads Entra's error body: `{"error":"invalid_client","error_description":"AADSTS7000215: …\r\nTrace ID: …",
    /// "error_codes":[7000215],…}`.
    static func fromEntra(status: Int, error: String?, description: String?, codes: [Int]) -> TokenError {
        // The first line carries the meaning; trace and correlation ids follow it. They are kept
        // out of the message so equal failures read alike, but Entra's text itself is kept whole.
        let firstLine = description?.split(whereSeparator: \.isNewline).first.map(String.init)
        var aadsts = codes.first
        if aadsts == nil, let firstLine, firstLine.hasPrefix("AADSTS") {
            aadsts = Int(firstLine.dropFirst(6).prefix { $0.isNumber })
        }
        let code: Code
        switch (aadsts, error) {
        case (90002?, _): code = .tenantNotFound
        case (7_000_222?, _): code = .expiredSecret
        case (_, "invalid_client"?): code = .invalidClient
        case (_, "unauthorized_client"?): code = .unauthorizedClient
        case (_, "invalid_scope"?): code = .invalidScope
        case (_, "invalid_resource"?): code = .invalidResource
        case (_, "invalid_request"?): code = .invalidRequest
        case (_, "temporarily_unavailable"?): code = .serviceUnavailable
        default: code = status >= 500 ? .serviceUnavailable : .other
        }
        return TokenError(
            code: code, message: firstLine ?? error ?? "HTTP \(status) without an error description",
            aadsts: aadsts, oauthError: error, httpStatus: status, isRetriable: code == .serviceUnavailable)
    }
}
