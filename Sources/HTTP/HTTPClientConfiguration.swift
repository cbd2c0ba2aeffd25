/// How an ``HTTPClient`` connects, how long it waits, and how it retries.
public struct HTTPClientConfiguration: Sendable {
    public var connectTimeout: Duration = .seconds(10)
    /// Whole request, including reading the body.
    public var totalTimeout: Duration = .seconds(60)
    /// Larger bodies fail with `responseTooLarge` instead of filling memory.
    public var maximumResponseBytes: Int = 64 << 20
    /// A PEM file of CA certificates to trust instead of the system's. Verification is always on.
    public var caBundlePath: String? = nil
    /// Proxies come from `HTTPS_PROXY` / `NO_PROXY` (libcurl reads them); this overrides.
    public var proxy: String? = nil
    public var userAgent: String = "inboxwatch/0.1"
    /// Most requests in flight at once; more wait their turn.
    public var maximumConcurrentRequests: Int = 64
    public var retry: RetryPolicy = RetryPolicy()

    public init() {}
}

/// When and how long to wait before trying a request again.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int = 6
    /// No retry starts later than this after the first attempt.
    public var maximumTotalTime: Duration = .seconds(300)
    /// First backoff; doubles each attempt, with full jitter, up to `maximumDelay`.
    public var baseDelay: Duration = .milliseconds(500)
    public var maximumDelay: Duration = .seconds(60)
    /// The longest `Retry-After` honoured; a longer one fails the request as retriable.
    public var maximumRetryAfter: Duration = .seconds(600)
    /// Retries allowed per host in `budgetWindow`, so a storm of failures does not multiply load.
    public var retryBudgetPerHost: Int = 100
    public var budgetWindow: Duration = .seconds(60)

    public init() {}
}
