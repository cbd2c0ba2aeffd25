/// Why a transfer produced no response, already in words a person can act on.
struct TransferFailure: Error, Sendable, Equatable {
    var code: HTTPError.Code
    /// What happened and what to do, with the URL redacted.
    var message: String
    /// A connection error or timeout: trying again later may work.
    var isTransient: Bool
    /// The request surely never reached the server (refused connection, unknown
    /// host, no connection within the connect timeout), so even a request that
    /// is not idempotent may be sent again.
    var neverReachedServer: Bool

    static func cancelled(_ target: String) -> TransferFailure {
        TransferFailure(
            code: .cancelled, message: "\(target) was cancelled", isTransient: false, neverReachedServer: false)
    }

    static func shutDown(_ target: String) -> TransferFailure {
        TransferFailure(
            code: .shutDown, message: "\(target) was not sent: the HTTP client has been shut down",
            isTransient: false, neverReachedServer: true)
    }

    /// The error to throw once the policy gives up on this failure.
    func error(attempts: Int, gaveUp why: String? = nil) -> HTTPError {
        var message = message
        if let why {
            message += "; gave up \(why)"
        } else if attempts > 1 {
            message += "; after \(attempts) attempts"
        }
        return HTTPError(code: code, message: message, isRetriable: isTransient)
    }
}
