import Foundation

/// Failures the simulated tenant produces on demand, set by flags at start and
/// through `PUT /sim/faults` while it runs. Which calls fail is drawn from a
/// seeded generator, so a test that makes the same calls sees the same faults.
public struct FaultPlan: Sendable, Hashable, Codable {
    /// Share of Graph calls answered 429 with `Retry-After`.
    public var graphThrottleFraction: Double = 0
    /// The `Retry-After` seconds of a Graph 429; `nil` leaves the header out, as Graph sometimes does.
    public var graphRetryAfterSeconds: Int? = 1
    /// Throttle only Graph writes (any method but `GET`), as Graph may while reads still pass:
    /// a throttling storm on remediation calls whose read-backs are answered.
    public var graphThrottleWritesOnly: Bool = false
    /// Share of Management Activity API calls answered 403 + AF429.
    public var managementThrottleFraction: Double = 0
    /// Requests per minute per publisher before the Management API throttles on its own.
    public var managementQuotaPerMinute: Int = 2000
    /// Share of calls answered with a 5xx.
    public var serverErrorFraction: Double = 0
    /// Share of calls held back by `slowResponseSeconds`.
    public var slowResponseFraction: Double = 0
    public var slowResponseSeconds: Double = 2
    /// Share of blobs that answer AF20051 (expired) although they are younger than 7 days.
    public var expiredBlobFraction: Double = 0
    /// Overrides the lifetime of tokens issued from now on (tokens expiring early).
    public var tokenLifetimeSeconds: Double? = nil

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case graphThrottleFraction, graphRetryAfterSeconds, graphThrottleWritesOnly, managementThrottleFraction
        case managementQuotaPerMinute
        case serverErrorFraction, slowResponseFraction, slowResponseSeconds, expiredBlobFraction, tokenLifetimeSeconds
    }

    /// Keys left out keep their defaults, so `PUT /sim/faults {}` clears every fault.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FaultPlan()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        graphThrottleFraction = try value(.graphThrottleFraction, defaults.graphThrottleFraction)
        graphRetryAfterSeconds =
            container.contains(.graphRetryAfterSeconds)
            ? try container.decodeIfPresent(Int.self, forKey: .graphRetryAfterSeconds) : defaults.graphRetryAfterSeconds
        graphThrottleWritesOnly = try value(.graphThrottleWritesOnly, defaults.graphThrottleWritesOnly)
        managementThrottleFraction = try value(.managementThrottleFraction, defaults.managementThrottleFraction)
        managementQuotaPerMinute = try value(.managementQuotaPerMinute, defaults.managementQuotaPerMinute)
        serverErrorFraction = try value(.serverErrorFraction, defaults.serverErrorFraction)
        slowResponseFraction = try value(.slowResponseFraction, defaults.slowResponseFraction)
        slowResponseSeconds = try value(.slowResponseSeconds, defaults.slowResponseSeconds)
        expiredBlobFraction = try value(.expiredBlobFraction, defaults.expiredBlobFraction)
        tokenLifetimeSeconds = try container.decodeIfPresent(Double.self, forKey: .tokenLifetimeSeconds)
    }

    /// What is wrong with the plan, in words a user can act on.
    public func problems() -> [String] {
        var problems: [String] = []
        let fractions: [(String, Double)] = [
            ("graphThrottleFraction", graphThrottleFraction),
            ("managementThrottleFraction", managementThrottleFraction),
            ("serverErrorFraction", serverErrorFraction), ("slowResponseFraction", slowResponseFraction),
            ("expiredBlobFraction", expiredBlobFraction),
        ]
        for (name, value) in fractions where !(0...1).contains(value) {
            problems.append("\(name) must be between 0 and 1 (got \(value))")
        }
        if let seconds = graphRetryAfterSeconds, seconds < 0 {
            problems.append("graphRetryAfterSeconds must not be negative")
        }
        if managementQuotaPerMinute < 1 { problems.append("managementQuotaPerMinute must be at least 1") }
        if slowResponseSeconds < 0 || slowResponseSeconds > 300 {
            problems.append("slowResponseSeconds must be between 0 and 300")
        }
        if let lifetime = tokenLifetimeSeconds, lifetime < 1 {
            problems.append("tokenLifetimeSeconds must be at least 1")
        }
        return problems
    }
}

/// Decides, call by call, which fault (if any) a request meets. A value type
/// driven by the plan, a seeded generator and the clock.
struct FaultInjector: Sendable {
    var plan: FaultPlan
    var random: SeededGenerator
    /// Fixed, so that whether a blob is expired does not depend on the calls before.
    private let blobRandom: SeededGenerator
    /// Calls still to answer with a 5xx, from `POST /sim/faults/burst`.
    var pendingServerErrors = 0
    /// Management calls per publisher in the current minute.
    private var quotaMinute: Int64 = -1
    private var quotaUsed: [String: Int] = [:]

    init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.random = SeededGenerator(seed: seed).derived("faults")
        self.blobRandom = SeededGenerator(seed: seed).derived("expired-blobs")
    }

    enum API { case graph, management }

    enum Decision: Equatable {
        case none
        case throttle
        case serverError
    }

    /// `isWrite`: a Graph call with a method other than `GET`, for ``FaultPlan/graphThrottleWritesOnly``.
    mutating func decide(_ api: API, publisher: String, isWrite: Bool = false, now: Date) -> Decision {
        if pendingServerErrors > 0 {
            pendingServerErrors -= 1
            return .serverError
        }
        if api == .management {
            let minute = SimTime.milliseconds(now) / 60_000
            if minute != quotaMinute {
                quotaMinute = minute
                quotaUsed = [:]
            }
            quotaUsed[publisher, default: 0] += 1
            if quotaUsed[publisher, default: 0] > plan.managementQuotaPerMinute { return .throttle }
        }
        let throttle =
            api == .graph
            ? (plan.graphThrottleWritesOnly && !isWrite ? 0 : plan.graphThrottleFraction)
            : plan.managementThrottleFraction
        if throttle > 0, random.chance(throttle) { return .throttle }
        if plan.serverErrorFraction > 0, random.chance(plan.serverErrorFraction) { return .serverError }
        return .none
    }

    mutating func delay() -> Duration {
        guard plan.slowResponseFraction > 0, random.chance(plan.slowResponseFraction) else { return .zero }
        return .milliseconds(Int64(plan.slowResponseSeconds * 1000))
    }

    /// Whether a blob is served as expired; stable per blob, so a retry sees the same answer.
    func isExpired(_ blob: ContentBlob) -> Bool {
        guard plan.expiredBlobFraction > 0 else { return false }
        var generator = blobRandom.derived(blob.contentId)
        return generator.chance(plan.expiredBlobFraction)
    }
}
