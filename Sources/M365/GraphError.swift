import Foundation
public import HTTP

/// A Microsoft Graph failure, with Graph's own `error.code` and `error.message` so a person
/// reads what Graph said ("Insufficient privileges to complete the operation.").
public struct GraphError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public let isRetriable: Bool
        public var description: String { name }

        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.name == rhs.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }

        /// 403: the app lacks a permission (or a license / role). Never retried.
        public static let forbidden = Code(name: "forbidden", isRetriable: false)
        /// 404.
        public static let notFound = Code(name: "notFound", isRetriable: false)
        /// 410 on a delta link: the sync state is gone. Start a full sync without the link.
        public static let resyncRequired = Code(name: "resyncRequired", isRetriable: false)
        /// 429 / 503 after HTTP's retries (honouring Retry-After) were spent.
        public static let throttled = Code(name: "throttled", isRetriable: true)
        /// 400 and other client errors: the request is wrong.
        public static let badRequest = Code(name: "badRequest", isRetriable: false)
        /// 401 even with a freshly fetched token.
        public static let unauthorized = Code(name: "unauthorized", isRetriable: false)
        /// 5xx after retries.
        public static let serviceError = Code(name: "serviceError", isRetriable: true)
        /// No token could be had; ``GraphError/tokenError`` says why.
        public static let authentication = Code(name: "authentication", isRetriable: false)
        /// Graph could not be reached; ``GraphError/httpError`` says why.
        public static let transport = Code(name: "transport", isRetriable: true)
        /// A next or delta link pointing away from the configured Graph host: not followed.
        public static let untrustedURL = Code(name: "untrustedURL", isRetriable: false)
        /// A body that is not what Graph documents.
        public static let unexpectedResponse = Code(name: "unexpectedResponse", isRetriable: true)
    }

    public var code: Code
    /// Graph's `error.message`, or what went wrong locally.
    public var message: String
    /// Graph's `error.code`, e.g. `Authorization_RequestDenied`, `ErrorAccessDenied`.
    public var graphCode: String?
    public var httpStatus: Int?
    /// Graph's `request-id` header: what Microsoft support asks for.
    public var requestId: String?
    public var isRetriable: Bool
    public var tokenError: TokenError?
    public var httpError: HTTPError?

    public init(
        code: Code, message: String, graphCode: String? = nil, httpStatus: Int? = nil, requestId: String? = nil,
        isRetriable: Bool? = nil, tokenError: TokenError? = nil, httpError: HTTPError? = nil
    ) {
        self.code = code
        self.message = message
        self.graphCode = graphCode
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.isRetriable = isRetriable ?? code.isRetriable
        self.tokenError = tokenError
        self.httpError = httpError
    }

    public var description: String {
        var text = "graph \(code)"
        if let httpStatus { text += " (HTTP \(httpStatus)\(graphCode.map { " \($0)" } ?? ""))" }
        return text + ": \(message)"
    }

    init(_ failure: AuthorizedCaller.Failure) {
        switch failure {
        case .token(let error):
            self.init(
                code: .authentication, message: error.description, isRetriable: error.isRetriable, tokenError: error)
        case .http(let error):
            let code: Code =
                switch (error.code, error.lastStatus) {
                case (.retriesExhausted, 429?), (.retriesExhausted, 503?), (.retryBudgetExhausted, _): .throttled
                case (.retriesExhausted, let status?) where status >= 500: .serviceError
                default: .transport
                }
            self.init(
                code: code, message: error.description, httpStatus: error.lastStatus, isRetriable: error.isRetriable,
                httpError: error)
        }
    }

    /// A failed answer as a typed error, with Graph's code and message when the body has them
    /// and the status and a snippet of the body when it does not.
    static func from(_ response: HTTPResponse) -> GraphError {
        let code: Code =
            switch response.status {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 410: .resyncRequired
            case 429, 503: .throttled
            case 500...: .serviceError
            default: .badRequest
            }
        let requestId = response.header("request-id")
        if let body = errorBody(response.body) {
            return GraphError(
                code: code, message: body.message, graphCode: body.code, httpStatus: response.status,
                requestId: requestId)
        }
        return GraphError(
            code: code,
            message: "HTTP \(response.status) with a body that is not Graph's error JSON: "
                + BodySnippet.of(response.body),
            httpStatus: response.status, requestId: requestId)
    }

    static func errorBody(_ body: Data) -> (code: String, message: String)? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
            let error = object["error"] as? [String: Any], let code = error["code"] as? String
        else { return nil }
        return (code, error["message"] as? String ?? "")
    }
}
