import ArgumentParser
import Collector
import Foundation
import Kafka
import Logging
import M365
import Service

/// One tenant's share of a collector command: its settings, connection and logger, and the
/// shared publisher and progress display.
struct TenantContext: Sendable {
    let settings: TenantSettings
    let connection: TenantConnection
    let logger: Logger
    let publisher: RecordPublisher
    let kafka: KafkaConfiguration
    let display: ProgressDisplay
    /// The process's readiness, and this tenant's condition in it.
    let readiness: Readiness
    let readinessName: String

    /// Health changes go to the log (info when healthy, error otherwise) and to `/readyz`: the
    /// tenant's collector is ready after its first complete cycle (it holds the lease, its token
    /// works, Kafka took the records), and each source is not ready while it is not healthy.
    var health: CollectorHealthSink {
        let logger = self.logger
        let (readiness, name) = (self.readiness, readinessName)
        return { health in
            let level: Logger.Level = health.status == .healthy ? .info : .error
            logger.log(level: level, "collector health changed", metadata: ["health": "\(health)"])
            let healthy = health.status == .healthy
            if healthy { readiness.set(name, ready: true) }
            readiness.set(
                "\(name)/\(health.source)", ready: healthy,
                reason: healthy ? "" : "\(health.status.rawValue): \(health.reason)")
        }
    }
}

/// What every collector command does around its collectors: one producer for all tenants, one
/// collector per tenant (its own connection and logger), all run until they finish (`--once`)
/// or SIGINT/SIGTERM, then the producer is flushed and closed. `make` builds a tenant's worker;
/// the worker returns its failure, if any.
func runCollectors(
    label: String, kafka: KafkaOptions, tenants: [TenantSettings], observability: ObservabilityOptions,
    make: (TenantContext) throws -> @Sendable () async -> CollectorError?
) async throws {
    let logger = Logger(label: label)
    let readiness = Readiness()
    // Before anything records a metric: swift-metrics binds to the backend bootstrapped then.
    let server = observability.server(readiness: readiness)
    let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
    let publisher = RecordPublisher(producer: producer, catalog: kafka.catalog)
    let display = ProgressDisplay(logger: logger)
    var workers: [@Sendable () async -> CollectorError?] = []
    for settings in tenants {
        var tenantLogger = logger
        tenantLogger[metadataKey: "tenant"] = "\(settings.tenantId)"
        let connection = try TenantConnection(settings: settings, logger: tenantLogger)
        let readinessName = "\(label.replacingOccurrences(of: "inboxwatch.", with: ""))/\(settings.tenantId)"
        readiness.register(readinessName, reason: "waiting for the collector lease and a first complete cycle")
        workers.append(
            try make(
                TenantContext(
                    settings: settings, connection: connection, logger: tenantLogger, publisher: publisher,
                    kafka: kafka.configuration, display: display, readiness: readiness,
                    readinessName: readinessName)))
    }
    let running = workers
    let failure = try await withObservabilityServer(server) {
        await runWorkersUntilSignal(logger: logger, workers: running)
    }
    display.finish()
    try await producer.flush()
    await producer.close()
    if let failure { throw failure }
}

/// `--since`: an interval back from now (`3d`) or a UTC time, at most `limit` ago.
func parseSince(_ text: String, now: Date, limit: TimeInterval, keeps: String) throws -> Date {
    let days = Int(limit / 86400)
    if let interval = IntervalArgument(argument: text) {
        guard interval.seconds <= limit else {
            throw ValidationError("--since \(text): \(keeps) \(days) days; ask for at most \(days)d")
        }
        return now.addingTimeInterval(-interval.seconds)
    }
    guard let date = M365Time.parseISO(text) else {
        throw ValidationError("--since \(text) is neither an interval like 3d nor a UTC time like 2026-11-20T00:00:00Z")
    }
    guard now.timeIntervalSince(date) <= limit else {
        throw ValidationError("--since \(text) is more than \(days) days ago; \(keeps) \(days) days")
    }
    return date
}
