public import Foundation

/// An HTTP response from a simulator handler.
public struct SimResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// Held back this long before it is sent (the slow-response fault).
    public var delay: Duration

    public init(
        status: Int, headers: [(name: String, value: String)] = [], body: Data = Data(), delay: Duration = .zero
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    public static func json(_ status: Int, _ document: OrderedJSON, headers: [(name: String, value: String)] = [])
        -> SimResponse
    {
        SimResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
            body: document.serialized())
    }

    public static func jsonData(_ status: Int, _ body: Data, headers: [(name: String, value: String)] = [])
        -> SimResponse
    {
        SimResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: body)
    }

    /// `{"error":{"code":…,"message":…}}`, the error body of Graph and of the Management API.
    public static func microsoftError(
        _ status: Int, code: String, message: String, headers: [(name: String, value: String)] = []
    ) -> SimResponse {
        json(
            status, .object(["error": .object(["code": .string(code), "message": .string(message)])]), headers: headers)
    }

    public static func noContent(_ status: Int = 204) -> SimResponse { SimResponse(status: status) }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
