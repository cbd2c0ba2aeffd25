import Metrics

/// What the HTTP layer counts per attempt, labelled by the request's ``HTTPRequest/api``
/// (`graph`, `management`, `token`, or `other`): calls, throttling answers (429 and 503, by
/// status), errors by kind (`client` 4xx, `server` 5xx, `transport`), and call durations.
enum HTTPMetrics {
    static let calls = "inboxwatch_api_calls_total"
    static let throttled = "inboxwatch_api_throttled_total"
    static let errors = "inboxwatch_api_errors_total"
    static let duration = "inboxwatch_api_call_duration_seconds"

    static func attempt(api: String, status: Int?, duration: Duration) {
        Counter(label: calls, dimensions: [("api", api)]).increment()
        Metrics.Timer(label: HTTPMetrics.duration, dimensions: [("api", api)]).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        switch status {
        case nil:
            Counter(label: errors, dimensions: [("api", api), ("kind", "transport")]).increment()
        case 429, 503:
            Counter(label: throttled, dimensions: [("api", api), ("status", String(status!))]).increment()
        case (400...499)?:
            Counter(label: errors, dimensions: [("api", api), ("kind", "client")]).increment()
        case (500...599)?:
            Counter(label: errors, dimensions: [("api", api), ("kind", "server")]).increment()
        default:
            break
        }
    }
}
