/// What a classifier decides about a response: hand it to the caller, or try again.
public enum RetryDecision: Sendable, Hashable {
    /// The response is the answer (a 404 or 403 included).
    case accept
    /// Try again: after exactly `after` when the server said so (`Retry-After`),
    /// or after the policy's backoff when `nil`.
    case retry(after: Duration?)
}
