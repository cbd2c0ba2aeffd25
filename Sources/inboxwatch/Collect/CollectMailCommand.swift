import ArgumentParser
import Collector
import Events
import Foundation
import Kafka
import Logging
import M365

/// `inboxwatch collect mail`: Microsoft Graph into `inboxwatch.raw.mail`.
struct CollectMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Collect Microsoft Graph (sign-ins, risk, alerts, mailboxes, user reports) into the raw mail topic.",
        discussion: """
            Lists sign-ins, risky users, threat submissions and alerts by time window (re-listing a \
            trailing overlap for late items); reads the inbox of every mailbox in the --mail-domain \
            domains by delta query, and their inbox rules and mailbox settings as snapshots (publishing \
            only what changed); keeps user profiles and accepted domains the same way; and, with \
            --report-mailbox, turns each report in the phishing-report mailbox into a user-report event. \
            Each change is published once, keyed tenant/user; checkpoints follow Kafka's \
            acknowledgements, and only one collector per tenant runs at a time. With --tenants FILE, \
            each tenant's mailDomains and reportMailbox come from the file unless these flags are given.
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var tenant: TenantOptions

    @Option(name: .customLong("mail-domain"), help: "Read the mailboxes of users of this domain (repeatable).")
    var mailDomains: [String] = []
    @Option(help: "The shared mailbox users forward suspicious mail to (a user principal name).")
    var reportMailbox: String?
    @Option(help: "Collect back to this time or interval (e.g. 2026-11-20T00:00:00Z or 3d; at most 30 days).")
    var since: String?
    @Option(help: "Trailing window re-listed each cycle for late sign-ins and alerts (e.g. 1h).")
    var overlap: IntervalArgument = .init(seconds: 3600)
    @Option(help: "Mailboxes read at once.")
    var mailboxConcurrency: Int = 4
    @OptionGroup var cycle: CycleOptions
    @OptionGroup var observability: ObservabilityOptions
    @OptionGroup var common: CommonOptions

    mutating func validate() throws {
        try applyConfiguration()
        if let since { _ = try sinceDate(since, now: Date()) }
        let problems = collectorSettings(mailDomains: mailDomains, reportMailbox: reportMailbox, now: Date()).problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
    }

    func sinceDate(_ text: String, now: Date) throws -> Date {
        try parseSince(text, now: now, limit: MailCollectionPolicy.maximumLookback, keeps: "Graph keeps sign-ins")
    }

    /// The collector settings of one tenant: the flags, else what the tenants file says.
    func collectorSettings(mailDomains: [String], reportMailbox: String?, mailGroups: [String] = [], now: Date)
        -> MailCollector.Settings
    {
        MailCollector.Settings(
            policy: MailCollectionPolicy(overlap: overlap.seconds, mailboxConcurrency: mailboxConcurrency),
            mailDomains: mailDomains, mailGroups: mailGroups, reportMailbox: reportMailbox,
            pollInterval: cycle.pollInterval.duration, dedupeHorizon: cycle.dedupeHorizon.seconds,
            backfillFrom: try? since.map { try sinceDate($0, now: now) }, once: cycle.once,
            leaseSessionTimeoutMilliseconds: Int(cycle.leaseTimeout.seconds * 1000))
    }

    func run() async throws {
        common.bootstrapLogging()
        let now = Date()
        try await runCollectors(
            label: "inboxwatch.collect.mail", kafka: kafka, tenants: try tenant.load(), observability: observability
        ) {
            tenant in
            let settings = collectorSettings(
                mailDomains: mailDomains.isEmpty ? tenant.settings.mailDomains ?? [] : mailDomains,
                reportMailbox: reportMailbox ?? tenant.settings.reportMailbox,
                mailGroups: tenant.settings.mailGroups ?? [], now: now)
            let problems = settings.problems()
            guard problems.isEmpty else {
                throw ValidationError("tenant \(tenant.settings.tenantId): " + problems.joined(separator: "; "))
            }
            let collector = MailCollector(
                client: tenant.connection.graph(clock: .system, logger: tenant.logger), publisher: tenant.publisher,
                kafka: tenant.kafka, settings: settings, logger: tenant.logger, health: tenant.health,
                progress: tenant.display.show)
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
