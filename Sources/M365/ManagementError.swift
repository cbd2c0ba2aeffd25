public import HTTP

/// A Management Activity API failure: Microsoft's `AF…` code mapped to what it means and
/// whether trying again can help, or a local check that failed before any request was sent.
public struct ManagementError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// What the code means and what to do, in a few words.
        public let meaning: String
        /// Whether a failure with this code is worth retrying as such.
        public let isRetriable: Bool

        public var description: String { name }

        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.name == rhs.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }

        /// AF20022: no subscription for the content type. Start it first.
        public static let noSubscription = Code(
            name: "noSubscription", meaning: "no subscription for this content type; start it", isRetriable: false)
        /// AF20023: the subscription was disabled (by an administrator). Start it again.
        public static let subscriptionDisabled = Code(
            name: "subscriptionDisabled", meaning: "the subscription is disabled; start it again", isRetriable: false)
        /// AF20030 or a local check: start and end not both given, not in order, or more than 24 h apart.
        public static let invalidWindow = Code(
            name: "invalidWindow", meaning: "start and end must both be given, in order, at most 24 hours apart",
            isRetriable: false)
        /// AF20054: start or end in a format the API does not read.
        public static let invalidTimeFormat = Code(
            name: "invalidTimeFormat", meaning: "times must be YYYY-MM-DDTHH:MM:SS (UTC)", isRetriable: false)
        /// AF20055 or a local check: the start is more than 7 days back; that content is gone for good.
        public static let windowTooOld = Code(
            name: "windowTooOld",
            meaning: "the start is more than 7 days in the past; content that old cannot be listed (clamp the start)",
            isRetriable: false)
        /// AF20031: the `nextPage` token was refused. Restart the listing of the window.
        public static let invalidNextPage = Code(
            name: "invalidNextPage", meaning: "the next-page token was refused; list the window again",
            isRetriable: false)
        /// AF20050: the content blob does not exist.
        public static let contentNotFound = Code(
            name: "contentNotFound", meaning: "the content blob does not exist", isRetriable: false)
        /// AF20051: the content blob is older than 7 days and can no longer be fetched.
        public static let contentExpired = Code(
            name: "contentExpired", meaning: "the content blob has expired (older than 7 days); its records are lost",
            isRetriable: false)
        /// AF429: the publisher's quota is spent. Back off and retry.
        public static let throttled = Code(
            name: "throttled", meaning: "throttled (AF429); back off and retry", isRetriable: true)
        /// AF50000: an internal error at Microsoft. Retry.
        public static let internalError = Code(
            name: "internalError", meaning: "internal error at Microsoft (AF50000); retry", isRetriable: true)
        /// AF10001: the token lacks the permission (`ActivityFeed.Read`, or `ActivityFeed.ReadDlp` for DLP.All).
        public static let missingPermission = Code(
            name: "missingPermission",
            meaning: "the app lacks the permission (ActivityFeed.Read / ActivityFeed.ReadDlp); grant admin consent",
            isRetriable: false)
        /// Another AF2xxxx: the request itself is wrong (unknown content type, bad tenant id, …).
        public static let invalidRequest = Code(
            name: "invalidRequest", meaning: "the API refused the request as invalid", isRetriable: false)
        /// 401 even with a freshly fetched token.
        public static let unauthorized = Code(
            name: "unauthorized", meaning: "refused with 401 even with a new token", isRetriable: false)
        /// No token could be had; ``ManagementError/tokenError`` says why.
        public static let authentication = Code(
            name: "authentication", meaning: "no access token could be had", isRetriable: false)
        /// The API could not be reached, or retries were spent; ``ManagementError/httpError`` says why.
        public static let transport = Code(
            name: "transport", meaning: "the API could not be reached", isRetriable: true)
        /// A next-page or content URL pointing away from the configured Management API host.
        public static let untrustedURL = Code(
            name: "untrustedURL", meaning: "a URL from the API points to another host; not followed (token leak)",
            isRetriable: false)
        /// A body that is not what the API documents (not JSON, wrong shape).
        public static let unexpectedResponse = Code(
            name: "unexpectedResponse", meaning: "the answer is not in the documented shape", isRetriable: true)
        /// An `AF…` code or status this client does not know.
        public static let other = Code(name: "other", meaning: "an error this client does not know", isRetriable: false)
    }

    public var code: Code
    /// What happened, with Microsoft's code and message where there was one.
    public var message: String
    /// Microsoft's `AF…` code, when the API sent one.
    public var afCode: String?
    public var httpStatus: Int?
    public var isRetriable: Bool
    /// Why no token could be had, for `.authentication`.
    public var tokenError: TokenError?
    /// The transport failure, for `.transport` and exhausted retries.
    public var httpError: HTTPError?

    public init(
        code: Code, message: String, afCode: String? = nil, httpStatus: Int? = nil, isRetriable: Bool? = nil,
        tokenError: TokenError? = nil, httpError: HTTPError? = nil
    ) {
        self.code = code
        self.message = message
        self.afCode = afCode
        self.httpStatus = httpStatus
        self.isRetriable = isRetriable ?? code.isRetriable
        self.tokenError = tokenError
        self.httpError = httpError
    }

    public var description: String {
        var text = "management \(code)"
        if let afCode { text += " \(afCode)" }
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text + ": \(message) — \(code.meaning)"
    }

    /// The code for an `AF…` error code from the API.
    static func code(forAF af: String, status: Int) -> Code {
        switch af.uppercased() {
        case "AF20022": .noSubscription
        case "AF20023": .subscriptionDisabled
        case "AF20030": .invalidWindow
        case "AF20054": .invalidTimeFormat
        case "AF20055": .windowTooOld
        case "AF20031": .invalidNextPage
        case "AF20050": .contentNotFound
        case "AF20051": .contentExpired
        case "AF429": .throttled
        case "AF50000": .internalError
        case "AF10001": .missingPermission
        case let other where other.hasPrefix("AF2"): .invalidRequest
        default: status >= 500 ? .internalError : .other
        }
    }

    init(_ failure: AuthorizedCaller.Failure) {
        switch failure {
        case .token(let error):
            self.init(
                code: .authentication, message: error.description, isRetriable: error.isRetriable, tokenError: error)
        case .http(let error):
            // When HTTP gave up on retriable answers, say which: AF429 storms end as 403s.
            let code: Code =
                switch (error.code, error.lastStatus) {
                case (.retriesExhausted, 403?): .throttled
                case (.retriesExhausted, let status?) where status >= 500: .internalError
                default: .transport
                }
            self.init(
                code: code, message: error.description, httpStatus: error.lastStatus, isRetriable: error.isRetriable,
                httpError: error)
        }
    }
}
