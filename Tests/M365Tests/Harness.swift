import Foundation
import HTTP
import Logging
import M365
import Synchronization
import TenantSimulator

/// A simulated tenant on a loopback port, a manual clock shared by the simulator and the M365
/// clients (so token expiry and the 7-day window are tested without sleeping), and factories
/// for the clients under test.
struct Harness {
    /// 2026-11-20T00:00:00Z, as the simulator's own tests use.
    static let worldStart = Date(timeIntervalSince1970: 1_795_132_800)
    /// When everything of a 6-hour world has been published.
    static let afterEverything = worldStart.addingTimeInterval(31 * 3600)

    let tenant: SimulatedTenant
    let baseURL: String
    let server: RunningSimulatorServer
    let clock: ManualClock
    let http: HTTPClient
    let logger: Logger

    var tenantId: String { tenant.world.directory.tenantId }
    var endpoints: M365Endpoints { .simulator(baseURL: baseURL) }
    var m365Clock: M365Clock {
        let clock = self.clock
        return M365Clock { clock.now }
    }

    static func configuration(
        scenarios: [String] = ["account-takeover"], users: Int = 30, listingPageSize: Int = 3, graphPageSize: Int = 5,
        malformed: Int = 0
    ) -> SimulatorConfiguration {
        SimulatorConfiguration(
            seed: 11, scenarios: scenarios, start: worldStart, duration: 6 * 3600, userCount: users, backgroundRate: 2,
            malformedRecords: malformed, listingPageSize: listingPageSize, graphPageSize: graphPageSize)
    }

    static func start(
        _ configuration: SimulatorConfiguration = Harness.configuration(), faults: FaultPlan = FaultPlan(),
        now: Date = afterEverything, logger: Logger? = nil
    ) async throws -> Harness {
        let tenant = SimulatedTenant(configuration: configuration, clock: SimulationClock(.manual(now)), faults: faults)
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: Logger(label: "test.simulator"))
        var clientLogger = logger ?? Logger(label: "test.m365")
        if logger == nil { clientLogger.logLevel = .error }
        var httpConfiguration = HTTPClientConfiguration()
        // Fast backoff keeps storm tests short; enough attempts that a 30 % fault rate never
        // exhausts them by chance.
        httpConfiguration.retry.baseDelay = .milliseconds(10)
        httpConfiguration.retry.maximumDelay = .milliseconds(100)
        httpConfiguration.retry.maximumAttempts = 12
        httpConfiguration.retry.retryBudgetPerHost = 1000
        let http = HTTPClient(configuration: httpConfiguration, logger: clientLogger)
        return Harness(
            tenant: tenant, baseURL: server.baseURL, server: server, clock: ManualClock(now), http: http,
            logger: clientLogger)
    }

    func stop() async {
        await http.shutdown()
        try? await server.stop()
    }

    /// Moves the simulator's clock and ours together.
    func advance(by seconds: TimeInterval) async {
        clock.advance(by: seconds)
        await tenant.advanceClock(by: seconds)
    }

    func tokens(
        _ app: SimulatorApps.App, secret: String? = nil, refreshMargin: Duration = .seconds(300)
    ) -> TokenProvider {
        TokenProvider(
            identity: AppIdentity(clientId: app.clientId, credential: .secret(secret ?? app.clientSecret)),
            endpoints: endpoints, http: http, refreshMargin: refreshMargin, clock: m365Clock, logger: logger)
    }

    func tokens(clientId: String, credential: AppCredential) -> TokenProvider {
        TokenProvider(
            identity: AppIdentity(clientId: clientId, credential: credential), endpoints: endpoints, http: http,
            clock: m365Clock, logger: logger)
    }

    func management(_ tokens: TokenProvider) -> ManagementActivityClient {
        ManagementActivityClient(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: m365Clock, logger: logger)
    }

    func graph(_ tokens: TokenProvider) -> GraphClient {
        GraphClient(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: m365Clock, logger: logger)
    }

    func actions(_ tokens: TokenProvider) -> GraphActions {
        GraphActions(
            tenantId: tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: m365Clock, logger: logger)
    }

    /// Every write call the simulator has counted.
    func totalWrites() async -> Int {
        await tenant.currentState().writeCounts.values.reduce(0, +)
    }

    /// The write calls counted for `endpoint` (a `GraphAPI.WriteEndpoint` template) on `target`.
    func writes(_ endpoint: String, _ target: String) async -> Int {
        await tenant.currentState().writeCounts.first { $0.key.endpoint == endpoint && $0.key.target == target }?
            .value ?? 0
    }

    /// The content ids the simulator publishes for `type` in `window`, in listing order.
    func publishedContentIds(_ type: ManagementContentType, _ window: AuditWindow) async -> [String] {
        let now = await tenant.now()
        return tenant.index.blobs(of: type, from: window.start, to: window.end, now: now).map(\.contentId)
    }
}

/// A clock only tests move.
final class ManualClock: Sendable {
    private let date: Mutex<Date>
    init(_ start: Date) { date = Mutex(start) }
    var now: Date { date.withLock { $0 } }
    func advance(by seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Collects every log line (message, metadata, level, label) so a test can search them.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A logger at trace level whose every line lands here.
    func logger(label: String = "capture") -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(label: label, capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingHandler: LogHandler {
    let label: String
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error=\($0)" } ?? ""
        capture.append("\(event.level) \(label): \(event.message) \(rendered)\(error)")
    }
}
