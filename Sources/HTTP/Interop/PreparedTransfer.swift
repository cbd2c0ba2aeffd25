import Foundation

/// A request checked and ready for libcurl, with what its messages need.
struct PreparedTransfer: Sendable {
    var method: String
    var url: String
    /// `Name: value` lines, already checked for line breaks.
    var headerLines: [String]
    var body: Data?
    var connectTimeout: Duration
    var timeout: Duration
    var maximumResponseBytes: Int
    var caBundlePath: String?
    var proxy: String?
    var userAgent: String
    /// `METHOD url`, the URL redacted.
    var target: String
    var redactedURL: String
    /// `host:port`, for messages and the retry budget.
    var endpoint: String

    /// Checks `request` and fills in the client's settings; throws `.invalidURL` / `.invalidRequest`.
    init(_ request: HTTPRequest, configuration: HTTPClientConfiguration) throws(HTTPError) {
        let redactedURL = Redaction.url(request.url)
        self.redactedURL = redactedURL
        target = "\(request.method) \(redactedURL)"
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw HTTPError(
                code: .invalidURL,
                message: "\(redactedURL) is not an absolute http or https URL; check the configured base URL",
                isRetriable: false)
        }
        endpoint = "\(host.lowercased()):\(components.port ?? (scheme == "https" ? 443 : 80))"
        guard request.method.allSatisfy({ $0.isLetter }), !request.method.isEmpty else {
            throw HTTPError(
                code: .invalidRequest, message: "\(target): the method must be letters only", isRetriable: false)
        }
        var lines: [String] = []
        for (name, value) in request.headers {
            // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
            let forbidden: (Unicode.Scalar) -> Bool = { $0 == "\r" || $0 == "\n" || $0 == "\0" }
            guard !name.isEmpty,
                !name.unicodeScalars.contains(where: { forbidden($0) || $0 == ":" || $0 == " " || $0 == "\t" }),
                !value.unicodeScalars.contains(where: forbidden)
            else {
                throw HTTPError(
                    code: .invalidRequest,
                    message: "\(target): header \(name.debugDescription) has an invalid name or a line break in its "
                        + "value; fix the caller",
                    isRetriable: false)
            }
            // `Name;` is libcurl's way to send a header with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip before bodies: Microsoft's APIs answer at once.
        lines.append("Expect:")
        method = request.method
        url = request.url
        headerLines = lines
        body = request.body
        let timeout = request.timeout ?? configuration.totalTimeout
        self.timeout = timeout
        connectTimeout = min(configuration.connectTimeout, timeout)
        maximumResponseBytes = max(0, configuration.maximumResponseBytes)
        caBundlePath = configuration.caBundlePath
        proxy = configuration.proxy
        userAgent = configuration.userAgent
    }
}
