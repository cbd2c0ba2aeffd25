import ArgumentParser
import Collector
import Foundation
import HTTP
import Kafka
import Logging
import M365

/// `inboxwatch doctor`: checks a deployment the way a new user needs before trusting it, and
/// says for every failure what to do.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check tenants, permissions, subscriptions and Kafka topics; print what fails and how to fix it.",
        discussion: """
            For each tenant: a token per app and scope (Graph, Management Activity API), every application \
            permission each configured component needs (the token's roles and one harmless read), the \
            Management Activity subscriptions of the audit content types, how long ago the newest content, \
            sign-in and collected record appeared. For Kafka: the cluster answers and each topic exists with \
            the catalog's partition count and cleanup policy. Only reads: nothing is started or written.
            Exit status 0 when nothing failed (warnings allowed), 1 otherwise.
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var action: ActionAppOptions
    @Option(help: "The components this deployment runs: audit, mail, correlator, act, or all (comma-separated).")
    var components: ComponentsArgument = .init(components: Set(InboxwatchComponent.allCases))
    @Option(name: .customLong("content-type"), help: "A content type the audit collector collects (repeatable).")
    var contentTypes: [String] = AuditCollector.defaultContentTypes.map(\.rawValue)
    @Option(help: "A mailbox (UPN or id) to read for the mailbox permissions; default: the first user listed.")
    var mailbox: String?
    @Option(help: "Partitions the keyed topics should have; default: what the raw audit topic has.")
    var partitions: Int32?
    @Option(help: "Newest content, sign-in or record older than this is a warning.")
    var staleAfter: IntervalArgument = .init(seconds: 6 * 3600)
    @Flag(help: "Print the checks as JSON.") var json = false
    @OptionGroup var common: CommonOptions

    func run() async throws {
        common.bootstrapLogging()
        var logger = Logger(label: "inboxwatch.doctor")
        // Refused tokens and 403s are what the report is about; as log lines they would only
        // repeat it on stderr. Debug and trace keep everything.
        if logger.logLevel > .debug { logger.logLevel = .error }
        let wanted = components.components
        let tenants = try tenant.load()

        let broker = BrokerDiagnostics(
            kafka: kafka.configuration, catalog: kafka.catalog, components: wanted, keyedPartitions: partitions,
            logger: logger)
        let (brokerChecks, presentTopics) = await broker.run()
        var checks = brokerChecks

        let freshness = RawTopicFreshness(kafka: kafka.configuration, staleAfter: staleAfter.seconds, logger: logger)
        var rawChecks: [DiagnosticCheck] = []
        let ids = tenants.map(\.tenantId)
        if wanted.contains(.audit), presentTopics.contains(kafka.catalog.rawAudit) {
            rawChecks += await freshness.check(
                topic: kafka.catalog.rawAudit, component: .audit, tenants: ids, collector: "inboxwatch collect audit")
        }
        if wanted.contains(.mail), presentTopics.contains(kafka.catalog.rawMail) {
            rawChecks += await freshness.check(
                topic: kafka.catalog.rawMail, component: .mail, tenants: ids, collector: "inboxwatch collect mail")
        }

        for settings in tenants {
            checks += await diagnose(settings, components: wanted, logger: logger)
            checks += rawChecks.filter { $0.tenant == settings.tenantId }
        }
        let report = DoctorReport(checks: checks)
        print(json ? try report.json() : report.text())
        if report.hasFailures { throw ExitCode(1) }
    }

    /// The checks of one tenant. A credential that cannot be read is a failure of the report,
    /// not a reason to stop checking the other tenants.
    private func diagnose(_ settings: TenantSettings, components: Set<InboxwatchComponent>, logger: Logger) async
        -> [DiagnosticCheck]
    {
        let http = HTTPClient(logger: logger)
        defer { Task { await http.shutdown() } }
        var checks: [DiagnosticCheck] = []
        func app(_ name: String, _ settings: TenantSettings?, component: String) -> DiagnosedApp? {
            guard let settings else { return nil }
            do {
                let identity = try settings.identity()
                return DiagnosedApp(
                    name: name, clientId: settings.clientId,
                    tokens: TokenProvider(
                        identity: identity, endpoints: settings.m365Endpoints, http: http, logger: logger))
            } catch {
                checks.append(
                    DiagnosticCheck(
                        tenant: settings.tenantId, check: "credential (\(name))", component: component, result: .fail,
                        detail: error.message,
                        fix: "make the secret file readable, set the variable, or give the certificate key"))
                return nil
            }
        }
        let needsCollector = !components.isDisjoint(with: [.audit, .mail])
        let collector =
            needsCollector
            ? app(
                "collector app", settings,
                component: components.intersection([.audit, .mail]).sorted().map(\.rawValue).joined(separator: ","))
            : nil
        let actions =
            components.contains(.act) ? app("action app", action.settings(for: settings), component: "act") : nil
        // An unreadable credential is already a failure; do not add token failures for it too.
        var checked = components
        if needsCollector && collector == nil { checked.subtract([.audit, .mail]) }
        if action.actionClientId != nil && actions == nil { checked.remove(.act) }
        let diagnostics = TenantDiagnostics(
            tenantId: settings.tenantId, endpoints: settings.m365Endpoints,
            publisherIdentifier: settings.publisherIdentifier, http: http, collector: collector, actions: actions,
            components: checked, contentTypes: contentTypes.map(AuditContentType.init(rawValue:)),
            mailbox: mailbox ?? settings.reportMailbox, staleAfter: staleAfter.seconds, logger: logger)
        checks += await diagnostics.run()
        await http.shutdown()
        return checks
    }
}
