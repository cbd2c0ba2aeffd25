import ArgumentParser
import Collector
import Events
import Foundation
import Kafka
import Logging
import M365

/// `inboxwatch collect audit`: the Management Activity API into `inboxwatch.raw.audit`.
struct CollectAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Collect the Office 365 Management Activity API into the raw audit topic.",
        discussion: """
            Starts the configured subscriptions, lists content windows (re-listing a trailing overlap \
            for late content), fetches new blobs and publishes each record once, keyed tenant/user, \
            with ce_id = the record's Id. Checkpoints go to the checkpoint topic after Kafka \
            acknowledged every record they cover; a restart resumes there. Only one collector per \
            tenant runs at a time: others wait for its lease.
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var tenant: TenantOptions

    @Option(
        name: .customLong("content-type"),
        help: "Audit.Exchange, Audit.AzureActiveDirectory, Audit.General, Audit.SharePoint, DLP.All (repeatable).")
    var contentTypes: [String] = AuditCollector.defaultContentTypes.map(\.rawValue)

    @Option(help: "Collect back to this time or interval (e.g. 2026-11-20T00:00:00Z or 3d; at most 7 days).")
    var since: String?
    @Option(help: "Trailing window re-listed each cycle for late content (e.g. 4h).")
    var overlap: IntervalArgument = .init(seconds: 4 * 3600)
    @Option(help: "Longest content window listed at once (at most 24h).")
    var window: IntervalArgument = .init(seconds: 3600)
    @Option(help: "Blobs fetched at once per content type.")
    var blobConcurrency: Int = 4
    @OptionGroup var cycle: CycleOptions
    @OptionGroup var observability: ObservabilityOptions
    @OptionGroup var common: CommonOptions

    mutating func validate() throws {
        try applyConfiguration()
        for type in contentTypes where !Self.known.contains(type) {
            throw ValidationError("--content-type \(type) is not one of \(Self.known.joined(separator: ", "))")
        }
        if let since { _ = try sinceDate(since, now: Date()) }
        let problems = policy(now: Date()).problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
    }

    static let known = ["Audit.Exchange", "Audit.AzureActiveDirectory", "Audit.General", "Audit.SharePoint", "DLP.All"]

    func policy(now: Date) -> AuditCollectionPolicy {
        AuditCollectionPolicy(
            overlap: overlap.seconds, windowLength: window.seconds, blobConcurrency: blobConcurrency)
    }

    func sinceDate(_ text: String, now: Date) throws -> Date {
        try parseSince(text, now: now, limit: AuditCollectionPolicy.retention, keeps: "the API keeps")
    }

    func run() async throws {
        common.bootstrapLogging()
        let backfill = try since.map { try sinceDate($0, now: Date()) }
        let settings = AuditCollector.Settings(
            contentTypes: contentTypes.map(AuditContentType.init(rawValue:)), policy: policy(now: Date()),
            pollInterval: cycle.pollInterval.duration, dedupeHorizon: cycle.dedupeHorizon.seconds,
            backfillFrom: backfill, once: cycle.once,
            leaseSessionTimeoutMilliseconds: Int(cycle.leaseTimeout.seconds * 1000))
        try await runCollectors(
            label: "inboxwatch.collect.audit", kafka: kafka, tenants: try tenant.load(), observability: observability
        ) {
            tenant in
            let collector = AuditCollector(
                client: tenant.connection.management(clock: .system, logger: tenant.logger),
                publisher: tenant.publisher, kafka: tenant.kafka, settings: settings,
                directory: UserDirectory(
                    graph: tenant.connection.graph(clock: .system, logger: tenant.logger), logger: tenant.logger),
                logger: tenant.logger, health: tenant.health, progress: tenant.display.show)
            return {
                do throws(CollectorError) {
                    try await collector.run()
                    return nil
                } catch {
                    return error
                }
            }
        }
    }
}
