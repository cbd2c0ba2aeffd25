import Testing

@testable import HTTP

/// Always the largest value: every full-jitter backoff comes out at its cap.
struct LargestRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { .max }
}

/// SplitMix64: varied but repeatable.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RetryStateTests {
    static func policy(attempts: Int = 6) -> RetryPolicy {
        var policy = RetryPolicy()
        policy.maximumAttempts = attempts
        policy.baseDelay = .milliseconds(100)
        policy.maximumDelay = .seconds(1)
        policy.maximumTotalTime = .seconds(300)
        policy.maximumRetryAfter = .seconds(60)
        return policy
    }

    static func state<R: RandomNumberGenerator>(
        attempts: Int = 6, idempotent: Bool = true, random: R = LargestRandom()
    ) -> RetryState<R> {
        RetryState(
            policy: policy(attempts: attempts), isIdempotent: idempotent,
            target: "GET https://graph.example/v1.0/users",
            random: random)
    }

    static let refused = TransferFailure(
        code: .connectionFailed, message: "could not connect to graph.example:443 (connection refused)",
        isTransient: true, neverReachedServer: true)
    static let timedOutAfterSending = TransferFailure(
        code: .timedOut, message: "no complete response within 500 ms", isTransient: true, neverReachedServer: false)
    static let badCertificate = TransferFailure(
        code: .tlsFailure, message: "TLS failed", isTransient: false, neverReachedServer: true)

    static func isRetry(_ next: RetryState<some RandomNumberGenerator>.Next) -> Bool {
        if case .retry = next { return true }
        return false
    }

    static func error(_ next: RetryState<some RandomNumberGenerator>.Next) -> HTTPError? {
        if case .fail(let error) = next { return error }
        return nil
    }

    @Test func acceptedResponseFinishes() {
        var state = Self.state()
        #expect(state.next(after: .response(status: 200, decision: .accept), elapsed: .zero) == .finish)
        #expect(state.attempts == 1)
    }

    @Test func retryAfterIsWaitedExactly() {
        var state = Self.state()
        let next = state.next(after: .response(status: 429, decision: .retry(after: .seconds(7))), elapsed: .zero)
        #expect(next == .retry(after: .seconds(7)))
    }

    @Test func retryAfterLongerThanTheMaximumFailsAsRetriable() {
        var state = Self.state()
        let next = state.next(after: .response(status: 503, decision: .retry(after: .seconds(61))), elapsed: .zero)
        let error = Self.error(next)
        #expect(error?.code == .retriesExhausted)
        #expect(error?.isRetriable == true)
        #expect(error?.lastStatus == 503)
        #expect(error?.message.contains("maximumRetryAfter") == true)
    }

    @Test func backoffDoublesFromTheBaseDelayUpToTheMaximum() {
        var state = Self.state(attempts: 10)
        var waits: [Duration] = []
        for _ in 0..<6 {
            if case .retry(let wait) = state.next(
                after: .response(status: 500, decision: .retry(after: nil)), elapsed: .zero)
            {
                waits.append(wait)
            }
        }
        let milliseconds = waits.map { Int(($0.inSeconds * 1000).rounded()) }
        #expect(milliseconds == [100, 200, 400, 800, 1000, 1000])
    }

    @Test func fullJitterStaysBetweenZeroAndTheCap() {
        var state = Self.state(attempts: 1000, random: SeededRandom(state: 42))
        var waits: [Duration] = []
        for retry in 0..<200 {
            guard case .retry(let wait) = state.next(after: .failure(Self.refused), elapsed: .zero) else {
                Issue.record("no retry at \(retry)")
                return
            }
            let cap = min(Duration.seconds(1), .milliseconds(100) * (1 << min(retry, 20)))
            #expect(wait >= .zero && wait <= cap)
            waits.append(wait)
        }
        // Jittered, not constant: the later waits spread over the whole range.
        let late = waits.suffix(100)
        #expect(late.min()! < .milliseconds(200))
        #expect(late.max()! > .milliseconds(800))
    }

    @Test func givesUpAtMaximumAttemptsWithTheLastStatus() {
        var state = Self.state(attempts: 3)
        let retry = RetryDecision.retry(after: nil)
        #expect(Self.isRetry(state.next(after: .response(status: 502, decision: retry), elapsed: .zero)))
        #expect(Self.isRetry(state.next(after: .response(status: 503, decision: retry), elapsed: .seconds(1))))
        let error = Self.error(state.next(after: .response(status: 500, decision: retry), elapsed: .seconds(2)))
        #expect(error?.code == .retriesExhausted)
        #expect(error?.lastStatus == 500)
        #expect(error?.message.contains("3 attempts") == true)
    }

    @Test func noRetryStartsAfterTheMaximumTotalTime() {
        var state = Self.state()
        let decision = RetryDecision.retry(after: .seconds(5))
        #expect(Self.isRetry(state.next(after: .response(status: 429, decision: decision), elapsed: .seconds(295))))
        let error = Self.error(state.next(after: .response(status: 429, decision: decision), elapsed: .seconds(296)))
        #expect(error?.code == .retriesExhausted)
        #expect(error?.message.contains("maximumTotalTime") == true)
    }

    @Test func nonIdempotentRequestRetriesOnlyWhatTheServerSurelyRefused() {
        let retry = RetryDecision.retry(after: nil)
        for status in [429, 503, 409] {
            var state = Self.state(idempotent: false)
            #expect(Self.isRetry(state.next(after: .response(status: status, decision: retry), elapsed: .zero)))
        }
        for status in [500, 502, 504] {
            var state = Self.state(idempotent: false)
            // Returned as a response: the server may have acted on it.
            #expect(state.next(after: .response(status: status, decision: retry), elapsed: .zero) == .finish)
        }
    }

    @Test func connectionErrorsRetryIdempotentRequestsAndRefusalsOnlyForOthers() {
        var get = Self.state()
        #expect(Self.isRetry(get.next(after: .failure(Self.timedOutAfterSending), elapsed: .zero)))
        var post = Self.state(idempotent: false)
        #expect(Self.isRetry(post.next(after: .failure(Self.refused), elapsed: .zero)))
        #expect(Self.error(post.next(after: .failure(Self.timedOutAfterSending), elapsed: .zero))?.code == .timedOut)
    }

    @Test func permanentFailuresAreNeverRetried() {
        var state = Self.state()
        let error = Self.error(state.next(after: .failure(Self.badCertificate), elapsed: .zero))
        #expect(error?.code == .tlsFailure)
        #expect(error?.isRetriable == false)
    }

    @Test func lastTransportFailureKeepsItsCodeWhenAttemptsRunOut() {
        var state = Self.state(attempts: 2)
        #expect(Self.isRetry(state.next(after: .failure(Self.refused), elapsed: .zero)))
        let error = Self.error(state.next(after: .failure(Self.refused), elapsed: .zero))
        #expect(error?.code == .connectionFailed)
        #expect(error?.isRetriable == true)
        #expect(error?.lastStatus == nil)
        #expect(error?.message.contains("connection refused") == true)
        #expect(error?.message.contains("2 attempts") == true)
    }

    @Test func budgetExhaustionNamesTheHostAndTheLastStatus() {
        var state = Self.state()
        _ = state.next(after: .response(status: 503, decision: .retry(after: nil)), elapsed: .zero)
        let error = state.budgetExhausted(host: "graph.example:443")
        #expect(error.code == .retryBudgetExhausted)
        #expect(error.lastStatus == 503)
        #expect(error.message.contains("graph.example:443"))
    }
}

@Suite struct RetryBudgetTests {
    @Test func hostGetsCapacityRetriesThenNone() {
        var budget = RetryBudget(capacity: 3, window: .seconds(60))
        var granted = (0..<4).map { _ in budget.take(host: "a:443", now: .seconds(1)) }
        #expect(granted == [true, true, true, false])
        // Other hosts have budgets of their own.
        granted = [budget.take(host: "b:443", now: .seconds(1))]
        #expect(granted == [true])
    }

    @Test func tokensRefillOverTheWindow() {
        var budget = RetryBudget(capacity: 3, window: .seconds(60))
        for _ in 0..<3 { _ = budget.take(host: "a:443", now: .zero) }
        #expect(budget.available(host: "a:443", now: .seconds(19)) == 0)
        #expect(budget.available(host: "a:443", now: .seconds(20)) == 1)
        let granted = [budget.take(host: "a:443", now: .seconds(20)), budget.take(host: "a:443", now: .seconds(21))]
        #expect(granted == [true, false])
        #expect(budget.available(host: "a:443", now: .seconds(600)) == 3)
    }

    @Test func zeroCapacityAllowsNoRetry() {
        var budget = RetryBudget(capacity: 0, window: .seconds(60))
        let granted = budget.take(host: "a:443", now: .zero)
        #expect(!granted)
    }
}
