/// What one attempt came to, as the retry policy sees it.
enum AttemptOutcome: Sendable, Equatable {
    /// A response, and what the classifier made of it.
    case response(status: Int, decision: RetryDecision)
    /// No response: the transfer failed.
    case failure(TransferFailure)
}

/// The retry decisions of one ``HTTPClient/execute(_:classify:)`` call, as a
/// pure value: no I/O, no clock, no shared state. The caller feeds it each
/// attempt's outcome and the time since the first attempt started, and does
/// what it answers (return, throw, or wait and try again). Randomness (the
/// backoff jitter) comes from an injected generator so tests can pin it.
struct RetryState<Random: RandomNumberGenerator> {
    enum Next: Equatable {
        /// The response is the answer.
        case finish
        /// Wait this long, then try again.
        case retry(after: Duration)
        /// Give up with this error.
        case fail(HTTPError)
    }

    let policy: RetryPolicy
    let isIdempotent: Bool
    /// `METHOD url` with secrets redacted, for messages.
    let target: String
    private var random: Random
    /// Attempts made so far.
    private(set) var attempts = 0
    private(set) var lastStatus: Int?
    private var lastFailure: TransferFailure?

    init(policy: RetryPolicy, isIdempotent: Bool, target: String, random: Random) {
        self.policy = policy
        self.isIdempotent = isIdempotent
        self.target = target
        self.random = random
    }

    /// Records an attempt that just ended, `elapsed` after the first one started, and says what to do.
    mutating func next(after outcome: AttemptOutcome, elapsed: Duration) -> Next {
        attempts += 1
        switch outcome {
        case .response(let status, let decision):
            lastStatus = status
            lastFailure = nil
            guard case .retry(let retryAfter) = decision else { return .finish }
            // The server may have acted on a request that is not idempotent, unless the status
            // says it did not: 429, 503 and 4xx refuse the request; other 5xx may come after the fact.
            guard isIdempotent || status == 429 || status == 503 || (400..<500).contains(status) else {
                return .finish
            }
            if let retryAfter, retryAfter > policy.maximumRetryAfter {
                return .fail(
                    HTTPError(
                        code: .retriesExhausted,
                        message:
                            "\(target) answered \(status) and asked to wait \(retryAfter.readable), longer than "
                            + "maximumRetryAfter (\(policy.maximumRetryAfter.readable)); try again later",
                        isRetriable: true, lastStatus: status))
            }
            return schedule(wait: retryAfter ?? backoff(), elapsed: elapsed)
        case .failure(let failure):
            lastFailure = failure
            lastStatus = nil
            guard failure.isTransient, isIdempotent || failure.neverReachedServer else {
                return .fail(failure.error(attempts: attempts))
            }
            return schedule(wait: backoff(), elapsed: elapsed)
        }
    }

    /// The error when the retry budget of `host` has no token left for the retry `next` asked for.
    func budgetExhausted(host: String) -> HTTPError {
        let last: String
        if let lastStatus {
            last = "status \(lastStatus)"
        } else if let lastFailure {
            last = lastFailure.message
        } else {
            last = "no attempt"
        }
        return HTTPError(
            code: .retryBudgetExhausted,
            message:
                "\(target) failed (\(last)) and the retry budget for \(host) is spent (\(policy.retryBudgetPerHost) "
                + "retries per \(policy.budgetWindow.readable)): the host has been failing for many requests; "
                + "try again later",
            isRetriable: true, lastStatus: lastStatus)
    }

    /// Full jitter: uniform in [0, min(maximumDelay, baseDelay · 2^retries)].
    private mutating func backoff() -> Duration {
        let retries = max(0, attempts - 1)
        let base = policy.baseDelay.inSeconds
        let cap = min(policy.maximumDelay.inSeconds, base * Double(1 << min(retries, 52)))
        guard cap > 0 else { return .zero }
        let seconds = Double.random(in: 0...cap, using: &random)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    private func schedule(wait: Duration, elapsed: Duration) -> Next {
        if attempts >= policy.maximumAttempts {
            return .fail(
                exhausted("after \(attempts) attempt\(attempts == 1 ? "" : "s"), as many as maximumAttempts allows"))
        }
        if elapsed + wait > policy.maximumTotalTime {
            return .fail(
                exhausted(
                    "after \(attempts) attempt\(attempts == 1 ? "" : "s"): waiting \(wait.readable) more would "
                        + "pass maximumTotalTime (\(policy.maximumTotalTime.readable))"))
        }
        return .retry(after: wait)
    }

    private func exhausted(_ why: String) -> HTTPError {
        if let lastFailure { return lastFailure.error(attempts: attempts, gaveUp: why) }
        let status = lastStatus ?? 0
        return HTTPError(
            code: .retriesExhausted,
            message:
                "\(target) still answered \(status) \(why); the service is throttling or failing, try again later",
            isRetriable: true, lastStatus: lastStatus)
    }
}
