import Foundation
public import Logging
import Synchronization

/// Sends HTTP requests through libcurl, retrying as its ``RetryPolicy`` says.
///
/// One thread, owned by the client, runs libcurl's multi interface; requests
/// wait for it on continuations, so Swift's cooperative threads never block.
/// Connections (and DNS lookups, TLS sessions) are reused across requests.
/// TLS certificates are always verified. Proxies come from `HTTPS_PROXY` /
/// `NO_PROXY` unless ``HTTPClientConfiguration/proxy`` is set.
///
/// Retries happen here, in Swift, never on the curl thread: `Retry-After` is
/// honoured exactly, other failures back off exponentially with full jitter,
/// and all requests to one host share a retry budget.
///
/// Call ``shutdown()`` when done; a client that is dropped stops its thread too.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let logger: Logger
    private let engine: CurlEngine
    private let budget: Mutex<RetryBudget>
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    public init(configuration: HTTPClientConfiguration = .init(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        engine = CurlEngine(maximumConcurrent: configuration.maximumConcurrentRequests)
        budget = Mutex(
            RetryBudget(
                capacity: configuration.retry.retryBudgetPerHost, window: configuration.retry.budgetWindow))
        origin = clock.now
    }

    deinit {
        engine.requestStop()
    }

    /// Retries 429 and 503 after their `Retry-After` (seconds or an HTTP date;
    /// the policy's backoff without one) and other 5xx after the backoff, except
    /// 501 and 505, which no retry changes. Everything else is the answer.
    public static let defaultClassifier: @Sendable (HTTPResponse) -> RetryDecision = { response in
        switch response.status {
        case 429, 503:
            return .retry(after: response.header("Retry-After").flatMap { RetryAfter.parse($0, now: Date()) })
        case 501, 505:
            return .accept
        case 500...599:
            return .retry(after: nil)
        default:
            return .accept
        }
    }

    /// Sends `request`, retrying per `configuration.retry`; `classify` decides
    /// which responses to retry. A status is not an error: the response comes
    /// back unless the policy retried it and gave up.
    ///
    /// Cancelling the task stops the transfer (or the wait before a retry) and
    /// throws `.cancelled`.
    public func execute(
        _ request: HTTPRequest,
        classify: @escaping @Sendable (HTTPResponse) -> RetryDecision = HTTPClient.defaultClassifier
    ) async throws(HTTPError) -> HTTPResponse {
        let transfer = try PreparedTransfer(request, configuration: configuration)
        // Metadata is built only for messages the logger's level lets through.
        let method = Logger.MetadataValue.string(request.method)
        let url = Logger.MetadataValue.string(transfer.redactedURL)
        logger.trace(
            "HTTP request",
            metadata: [
                "method": method, "url": url, "bodyBytes": "\(request.body?.count ?? 0)",
                "headers": .array(
                    request.headers.map { .string("\($0.name): \(Redaction.header(name: $0.name, value: $0.value))") }),
            ])
        var state = RetryState(
            policy: configuration.retry, isIdempotent: request.isIdempotent, target: transfer.target,
            random: SystemRandomNumberGenerator())
        let start = clock.now
        while true {
            let attempt = state.attempts + 1
            if Task.isCancelled { throw HTTPError(code: .cancelled, message: "\(transfer.target) was cancelled") }
            let attemptStart = clock.now
            let result = await engine.perform(transfer)
            let duration = attemptStart.duration(to: clock.now)
            switch result {
            case .success(let received):
                HTTPMetrics.attempt(api: request.api ?? "other", status: received.status, duration: duration)
            case .failure(let failure) where failure.code != .cancelled && failure.code != .shutDown:
                HTTPMetrics.attempt(api: request.api ?? "other", status: nil, duration: duration)
            case .failure:
                break
            }
            let outcome: AttemptOutcome
            var response: HTTPResponse?
            switch result {
            case .success(let received):
                response = received
                logger.debug(
                    "HTTP response",
                    metadata: [
                        "method": method, "url": url, "status": "\(received.status)",
                        "duration": "\(Self.milliseconds(duration))",
                        "attempt": "\(attempt)",
                    ])
                outcome = .response(status: received.status, decision: classify(received))
            case .failure(let failure):
                logger.debug(
                    "HTTP attempt failed",
                    metadata: [
                        "method": method, "url": url, "error": "\(failure.code)",
                        "duration": "\(Self.milliseconds(duration))",
                        "attempt": "\(attempt)",
                    ])
                if failure.code == .cancelled || failure.code == .shutDown {
                    throw HTTPError(code: failure.code, message: failure.message)
                }
                outcome = .failure(failure)
            }
            switch state.next(after: outcome, elapsed: start.duration(to: clock.now)) {
            case .finish:
                if let response { return response }
                throw HTTPError(code: .internalError, message: "\(transfer.target): finished without a response")
            case .fail(let error):
                if state.attempts > 1 {
                    logger.notice(
                        "HTTP request failed after retries",
                        metadata: [
                            "method": method, "url": url, "error": "\(error.code)", "attempts": "\(state.attempts)",
                        ])
                }
                throw error
            case .retry(let wait):
                let granted = budget.withLock { $0.take(host: transfer.endpoint, now: origin.duration(to: clock.now)) }
                guard granted else {
                    let error = state.budgetExhausted(host: transfer.endpoint)
                    logger.warning(
                        "HTTP retry budget exhausted; not retrying",
                        metadata: [
                            "method": method, "url": url, "host": "\(transfer.endpoint)", "attempt": "\(attempt)",
                        ])
                    throw error
                }
                var metadata: Logger.Metadata = [
                    "method": method, "url": url, "wait": "\(Self.milliseconds(wait))", "attempt": "\(attempt)",
                ]
                let level: Logger.Level
                switch outcome {
                case .response(let status, let decision):
                    metadata["status"] = "\(status)"
                    // Throttling that says how long to wait is expected; anything else is a warning.
                    if case .retry(after: .some) = decision { level = .notice } else { level = .warning }
                case .failure(let failure):
                    metadata["error"] = "\(failure.code)"
                    metadata["reason"] = "\(failure.message)"
                    level = .warning
                }
                logger.log(level: level, "Retrying HTTP request", metadata: metadata)
                do {
                    try await Task.sleep(for: wait, clock: clock)
                } catch {
                    throw HTTPError(
                        code: .cancelled, message: "\(transfer.target) was cancelled while waiting to retry")
                }
            }
        }
    }

    /// Stops the curl thread; transfers still running fail with `.shutDown`, and so does every later call.
    public func shutdown() async {
        await engine.stop()
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let milliseconds = duration.inSeconds * 1000
        return milliseconds < 10 ? "\((milliseconds * 100).rounded() / 100)ms" : "\(Int(milliseconds.rounded()))ms"
    }
}

extension HTTPError {
    init(code: Code, message: String) {
        self.init(code: code, message: message, isRetriable: false)
    }
}
