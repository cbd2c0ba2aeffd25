import Metrics
public import Prometheus
import Synchronization

/// Sends swift-metrics to a Prometheus registry, once per process: `MetricsSystem.bootstrap`
/// may run only once, so every later call returns the registry the first one installed.
///
/// The worker modules record through swift-metrics only (`inboxwatch_…` names, low-cardinality
/// labels); this is the one place that knows they end up in Prometheus.
public enum InboxwatchMetrics {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The end-to-end latency's buckets: records arrive seconds to hours after they happened
    /// (audit records are often minutes late), so the buckets span 100 ms to 6 h.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600),
        .seconds(3 * 3600), .seconds(6 * 3600),
    ]

    /// The names of timers that measure end-to-end latency rather than a call's duration.
    public static let latencyTimers = ["inboxwatch_story_latency_seconds"]

    /// Bootstraps swift-metrics on first call and returns the registry `/metrics` serves.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: created)
            for name in latencyTimers { factory.durationHistogramBuckets[name] = latencyBuckets }
            MetricsSystem.bootstrap(factory)
            registry = created
            return created
        }
    }

    /// The registry installed by ``bootstrap()``, if any.
    public static var registry: PrometheusCollectorRegistry? { installed.withLock { $0 } }
}
