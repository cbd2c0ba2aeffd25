/// How the correlator engine orders, keeps and judges events.
public struct CorrelatorConfiguration: Sendable, Hashable {
    /// How far behind the slowest delivering feed an event may arrive and still be put in order.
    public var grace: Duration
    /// A feed that delivered nothing for this long (processing time) stops holding others back.
    public var idleAfter: Duration
    /// Events waiting for the watermark, per partition, before the earliest are released early.
    public var bufferCapacity: Int
    /// How long (processing time) events of a tenant whose accepted domains are unknown wait for
    /// its domain list before they are judged with the user's own domain standing in.
    public var contextWait: Duration
    /// The detections' tuning for tenants without one of their own.
    public var detection: DetectionConfiguration
    /// Tuning of particular tenants, by tenant id lower-cased.
    public var tenantDetection: [String: DetectionConfiguration]
    public var limits: StateLimits
    /// A finding later than this after a story's latest evidence opens a new story.
    public var storyWindow: Duration
    /// Tenants known from configuration (accepted domains, VIPs), by tenant id lower-cased;
    /// the tenant's own `domainList` events add to them.
    public var tenants: [String: TenantContext]
    /// Remediations requested without an analyst; off by default.
    public var autoResponse: AutoResponsePolicy

    public init(
        grace: Duration = .seconds(30 * 60), idleAfter: Duration = .seconds(5), bufferCapacity: Int = 100_000,
        contextWait: Duration = .seconds(300),
        detection: DetectionConfiguration = DetectionConfiguration(), limits: StateLimits = StateLimits(),
        storyWindow: Duration = .seconds(7 * 24 * 3600), tenants: [String: TenantContext] = [:],
        tenantDetection: [String: DetectionConfiguration] = [:], autoResponse: AutoResponsePolicy = .off
    ) {
        self.grace = grace
        self.idleAfter = idleAfter
        self.bufferCapacity = bufferCapacity
        self.contextWait = contextWait
        self.detection = detection
        self.limits = limits
        self.storyWindow = storyWindow
        self.tenants = tenants
        self.tenantDetection = Dictionary(tenantDetection.map { ($0.key.lowercased(), $0.value) }) { $1 }
        self.autoResponse = autoResponse
    }

    /// The tuning that applies to a tenant's events.
    public func detection(for tenant: String) -> DetectionConfiguration {
        tenantDetection[tenant] ?? tenantDetection[tenant.lowercased()] ?? detection
    }
}
