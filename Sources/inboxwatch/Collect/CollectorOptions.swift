import ArgumentParser
import Collector
import Events
import Foundation
import HTTP
import Kafka
import Logging
import M365
import Synchronization

/// How a collector cycles, the same for every source.
struct CycleOptions: ParsableArguments {
    @Option(help: "Pause between cycles once caught up.")
    var pollInterval: IntervalArgument = .init(seconds: 60)
    @Option(help: "How long a published id is remembered to skip its repeats.")
    var dedupeHorizon: IntervalArgument = .init(seconds: 24 * 3600)
    @Option(help: "How long a crashed collector keeps its lease before another takes over.")
    var leaseTimeout: IntervalArgument = .init(seconds: 10)
    @Flag(help: "Catch up once, then exit (a backfill).") var once = false
}

/// The tenant(s) to collect: one from flags, or several from `--tenants FILE`.
struct TenantOptions: ParsableArguments {
    @Option(help: "The tenant (directory) id.") var tenant: String?
    @Option(help: "The collector app registration's Application (client) ID.") var clientId: String?
    @Option(help: "A file holding the client secret (never pass the secret itself on the command line).")
    var clientSecretFile: String?
    @Option(help: "An environment variable holding the client secret.")
    var clientSecretEnv: String?
    @Option(help: "A PEM file with the certificate's RSA private key (certificate credentials).")
    var certificateKeyFile: String?
    @Option(help: "The certificate's thumbprint, as the Azure portal shows it.")
    var certificateThumbprint: String?
    @Option(help: "Talk to a tenant simulator at this base URL instead of Microsoft's commercial cloud.")
    var simulator: String?
    @Option(help: "PublisherIdentifier for the Management API quota (default: the tenant id).")
    var publisherIdentifier: String?
    @Option(help: "A JSON file {\"tenants\": [...]} naming several tenants, each with its own credentials.")
    var tenants: String?

    func validate() throws {
        if tenants != nil {
            guard tenant == nil, clientId == nil else {
                throw ValidationError("give either --tenants FILE or --tenant/--client-id, not both")
            }
            return
        }
        guard let single else {
            if !(try WorkerConfiguration.get().layers.tenants.isEmpty) { return }
            throw ValidationError(
                "name the tenant: --tenant ID --client-id ID with a credential, --tenants FILE, or tenants in --config FILE"
            )
        }
        let problems = single.problems(at: "--tenant")
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
    }

    private var single: TenantSettings? {
        guard let tenant, let clientId else { return nil }
        return TenantSettings(
            tenantId: tenant, clientId: clientId, clientSecretFile: clientSecretFile,
            clientSecretEnv: clientSecretEnv
                ?? (clientSecretFile == nil && certificateKeyFile == nil
                    ? "INBOXWATCH_CLIENT_SECRET" : nil),
            certificateKeyFile: certificateKeyFile, certificateThumbprint: certificateThumbprint,
            endpoints: simulator, publisherIdentifier: publisherIdentifier)
    }

    /// The tenants of the flags, else of the configuration (with the action app's credentials `forActions`).
    func load(forActions: Bool = false) throws -> [TenantSettings] {
        do {
            if let tenants { return try TenantsFile.load(tenants) }
        } catch {
            throw ValidationError(error.message)
        }
        if let single { return [single] }
        return try WorkerConfiguration.get().tenantSettings(forActions: forActions)
    }
}

/// The clients one tenant's collectors talk through: its own HTTP client (its own retry
/// budget) and token cache, so one tenant's throttling never slows another.
struct TenantConnection: Sendable {
    let settings: TenantSettings
    let http: HTTPClient
    let tokens: TokenProvider

    init(settings: TenantSettings, logger: Logger) throws {
        self.settings = settings
        http = HTTPClient(logger: logger)
        let identity: AppIdentity
        do {
            identity = try settings.identity()
        } catch {
            throw ValidationError(error.message)
        }
        tokens = TokenProvider(
            identity: identity, endpoints: settings.m365Endpoints, http: http, logger: logger)
    }

    func management(clock: M365Clock, logger: Logger) -> ManagementActivityClient {
        ManagementActivityClient(
            tenantId: settings.tenantId, tokens: tokens, http: http, endpoints: settings.m365Endpoints,
            publisherIdentifier: settings.publisherIdentifier, clock: clock, logger: logger)
    }

    func graph(clock: M365Clock, logger: Logger) -> GraphClient {
        GraphClient(
            tenantId: settings.tenantId, tokens: tokens, http: http, endpoints: settings.m365Endpoints, clock: clock,
            logger: logger)
    }
}

/// Shows progress: one rewritten line on a terminal; otherwise a log line, at info at most every
/// ten seconds per source during a backfill (more windows than a normal cycle), else at debug.
final class ProgressDisplay: Sendable {
    let logger: Logger
    let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastLogged = Mutex<[String: Date]>([:])

    init(logger: Logger) { self.logger = logger }

    func show(_ progress: CollectionProgress) {
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(progress)".utf8))
            return
        }
        let isBackfill = progress.windowsTotal > 8
        let due = lastLogged.withLock { last in
            let now = Date()
            guard
                now.timeIntervalSince(last[progress.source] ?? .distantPast) >= 10
                    || progress.windowsDone == progress.windowsTotal
            else { return false }
            last[progress.source] = now
            return true
        }
        logger.log(level: isBackfill && due ? .info : .debug, "progress", metadata: ["progress": "\(progress)"])
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
