import ArgumentParser
import Collector
import Foundation
import Kafka
import Logging
import M365

/// One tenant's share of a collector command: its settings, connection and logger, and the
/// shared publisher and progress display.
struct TenantContext: Sendable {
    let settings: TenantSettings
    let connection: TenantConnection
    let logger: Logger
    let publisher: RecordPublisher
    let kafka: KafkaConfiguration
    let display: ProgressDisplay

    /// Health changes go to the log: info when healthy, error otherwise.
    var health: CollectorHealthSink {
        let logger = self.logger
        return { health in
            let level: Logger.Level = health.status == .healthy ? .info : .error
            logger.log(level: level, "collector health changed", metadata: ["health": "\(health)"])
        }
    }
}

/// What every collector command does around its collectors: one producer for all tenants, one
/// collector per tenant (its own connection and logger), all run until they finish (`--once`)
/// or SIGINT/SIGTERM, then the producer is flushed and closed. `make` builds a tenant's worker;
/// the worker returns its failure, if any.
func runCollectors(
    label: String, kafka: KafkaOptions, tenants: [TenantSettings],
    make: (TenantContext) throws -> @Sendable () async -> CollectorError?
) async throws {
    let logger = Logger(label: label)
    let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
    let publisher = RecordPublisher(producer: producer, catalog: kafka.catalog)
    let display = ProgressDisplay(logger: logger)
    var workers: [@Sendable () async -> CollectorError?] = []
    for settings in tenants {
        var tenantLogger = logger
        tenantLogger[metadataKey: "tenant"] = "\(settings.tenantId)"
        let connection = try TenantConnection(settings: settings, logger: tenantLogger)
        workers.append(
            try make(
                TenantContext(
                    settings: settings, connection: connection, logger: tenantLogger, publisher: publisher,
                    kafka: kafka.configuration, display: display)))
    }
    let failure = await runWorkersUntilSignal(logger: logger, workers: workers)
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
