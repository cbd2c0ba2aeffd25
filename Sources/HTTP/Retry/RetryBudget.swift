/// How many retries each host may still get: a token bucket per host, holding
/// at most `capacity` tokens and refilling `capacity` per `window`. A retry
/// takes one token; with none left the request fails instead of retrying, so a
/// storm of failures does not multiply the load on a struggling service.
///
/// A pure value: time is passed in (as the time since any fixed origin).
struct RetryBudget: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Duration
    }

    let capacity: Int
    let window: Duration
    private var buckets: [String: Bucket] = [:]

    init(capacity: Int, window: Duration) {
        self.capacity = max(0, capacity)
        self.window = window
    }

    /// Takes a token for `host` if one is left.
    mutating func take(host: String, now: Duration) -> Bool {
        guard capacity > 0 else { return false }
        var bucket = buckets[host] ?? Bucket(tokens: Double(capacity), updated: now)
        bucket.tokens = min(Double(capacity), bucket.tokens + refill(since: bucket.updated, now: now))
        bucket.updated = now
        let granted = bucket.tokens >= 1
        if granted { bucket.tokens -= 1 }
        buckets[host] = bucket
        if buckets.count > 1024 { forgetFullBuckets(now: now) }
        return granted
    }

    /// Tokens left for `host` at `now`.
    func available(host: String, now: Duration) -> Int {
        guard let bucket = buckets[host] else { return capacity }
        return Int(min(Double(capacity), bucket.tokens + refill(since: bucket.updated, now: now)))
    }

    private func refill(since updated: Duration, now: Duration) -> Double {
        let windowSeconds = window.inSeconds
        guard windowSeconds > 0 else { return Double(capacity) }
        let elapsed = max(0, (now - updated).inSeconds)
        return elapsed / windowSeconds * Double(capacity)
    }

    /// A full bucket is the same as no bucket; dropping them keeps the table small.
    private mutating func forgetFullBuckets(now: Duration) {
        buckets = buckets.filter { $0.value.tokens + refill(since: $0.value.updated, now: now) < Double(capacity) }
    }
}
