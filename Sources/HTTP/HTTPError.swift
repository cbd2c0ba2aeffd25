/// Why a request failed after every allowed attempt, in words a person can act on.
/// HTTP statuses are not errors at this level: a 404 or 403 is a response.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        public static let connectionFailed = Code(name: "connectionFailed")
        public static let timedOut = Code(name: "timedOut")
        public static let tlsFailure = Code(name: "tlsFailure")
        public static let responseTooLarge = Code(name: "responseTooLarge")
        public static let invalidURL = Code(name: "invalidURL")
        /// The request cannot be sent as given (a line break in a header, a bad method): a bug in the caller.
        public static let invalidRequest = Code(name: "invalidRequest")
        /// Every attempt got a retriable status (429, 5xx) and the policy gave up.
        public static let retriesExhausted = Code(name: "retriesExhausted")
        /// The host's retry budget is spent: too many failures recently.
        public static let retryBudgetExhausted = Code(name: "retryBudgetExhausted")
        public static let cancelled = Code(name: "cancelled")
        public static let shutDown = Code(name: "shutDown")
        public static let internalError = Code(name: "internalError")
    }

    public var code: Code
    /// What happened and what to do, with the URL (query values redacted).
    public var message: String
    /// Whether trying again later may succeed.
    public var isRetriable: Bool
    /// The last response, when the failure was a status the policy gave up on.
    public var lastStatus: Int?

    public init(code: Code, message: String, isRetriable: Bool, lastStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.lastStatus = lastStatus
    }

    public var description: String { "\(code): \(message)" }
}
