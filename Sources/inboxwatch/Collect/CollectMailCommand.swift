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
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let since { _ = try sinceDate(since, now: Date()) }
        let problems = collectorSettings(mailDomains: mailDomains, reportMailbox: reportMailbox, now: Date()).problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
    }

    func sinceDate(_ text: String, now: Date) throws -> Date {
        let limit = MailCollectionPolicy.maximumLookback
        if let interval = IntervalArgument(argument: text) {
            guard interval.seconds <= limit else {
                throw ValidationError("--since \(text): Graph keeps sign-ins 30 days; ask for at most 30d")
            }
            return now.addingTimeInterval(-interval.seconds)
        }
        guard let date = M365Time.parseISO(text) else {
            throw ValidationError(
                "--since \(text) is neither an interval like 3d nor a UTC time like 2026-11-20T00:00:00Z")
        }
        guard now.timeIntervalSince(date) <= limit else {
            throw ValidationError("--since \(text) is more than 30 days ago; Graph keeps sign-ins 30 days")
        }
        return date
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
        let logger = Logger(label: "inboxwatch.collect.mail")
        let tenants = try tenant.load()
        let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
        let publisher = RecordPublisher(producer: producer, catalog: kafka.catalog)
        let display = ProgressDisplay(logger: logger)
        let now = Date()
        var collectors: [MailCollector] = []
        for tenantSettings in tenants {
            let tenantLogger = {
                var copy = logger
                copy[metadataKey: "tenant"] = "\(tenantSettings.tenantId)"
                return copy
            }()
            let settings = collectorSettings(
                mailDomains: mailDomains.isEmpty ? tenantSettings.mailDomains ?? [] : mailDomains,
                reportMailbox: reportMailbox ?? tenantSettings.reportMailbox,
                mailGroups: tenantSettings.mailGroups ?? [], now: now)
            let problems = settings.problems()
            guard problems.isEmpty else {
                throw ValidationError("tenant \(tenantSettings.tenantId): " + problems.joined(separator: "; "))
            }
            let connection = try TenantConnection(settings: tenantSettings, logger: tenantLogger)
            collectors.append(
                MailCollector(
                    client: connection.graph(clock: .system, logger: tenantLogger), publisher: publisher,
                    kafka: kafka.configuration, settings: settings, logger: tenantLogger,
                    health: { health in
                        let level: Logger.Level = health.status == .healthy ? .info : .error
                        tenantLogger.log(level: level, "collector health changed", metadata: ["health": "\(health)"])
                    },
                    progress: display.show))
        }
        let failure = await runWorkersUntilSignal(
            logger: logger,
            workers: collectors.map { collector in
                { () async -> CollectorError? in
                    do throws(CollectorError) {
                        try await collector.run()
                        return nil
                    } catch {
                        return error
                    }
                }
            })
        display.finish()
        try await producer.flush()
        await producer.close()
        if let failure { throw failure }
    }
}
