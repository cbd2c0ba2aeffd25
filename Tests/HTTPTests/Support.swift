import Foundation
import HTTP
import InboxwatchTestSupport
import Logging
import Synchronization
import TenantSimulator

#if canImport(Glibc)
    import Glibc
#endif

enum Fixtures {
    /// 2026-11-20T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_795_132_800)
    /// When everything of the 6-hour world has been published.
    static let now = start.addingTimeInterval(31 * 3600)
    static let graphScope = "https://graph.microsoft.com/.default"

    /// Quick retries, so tests do not wait on the default half-second backoff.
    static func configuration(
        attempts: Int = 4, baseDelay: Duration = .milliseconds(10), totalTimeout: Duration = .seconds(10)
    ) -> HTTPClientConfiguration {
        var configuration = HTTPClientConfiguration()
        configuration.totalTimeout = totalTimeout
        configuration.connectTimeout = .seconds(2)
        configuration.retry.maximumAttempts = attempts
        configuration.retry.baseDelay = baseDelay
        configuration.retry.maximumDelay = .milliseconds(100)
        configuration.retry.maximumTotalTime = .seconds(15)
        return configuration
    }

    static func logger(_ capture: LogCapture? = nil) -> Logger {
        guard let capture else {
            var logger = Logger(label: "test.http")
            logger.logLevel = .critical
            return logger
        }
        var logger = Logger(label: "test.http") { _ in CapturingLogHandler(capture: capture) }
        logger.logLevel = .trace
        return logger
    }

    static func json(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

/// A simulated tenant served over HTTP on a free loopback port.
struct Simulator {
    let tenant: SimulatedTenant
    let baseURL: String
    let server: RunningSimulatorServer

    static func start() async throws -> Simulator {
        let tenant = SimulatedTenant(
            configuration: SimulatorConfiguration(
                seed: 7, scenarios: [], start: Fixtures.start, duration: 6 * 3600, userCount: 20),
            clock: SimulationClock(.manual(Fixtures.now)), faults: FaultPlan())
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: Logger(label: "test.simulator"))
        return Simulator(tenant: tenant, baseURL: server.baseURL, server: server)
    }

    func stop() async {
        try? await server.stop()
    }

    var tokenURL: String { "\(baseURL)/\(tenant.world.directory.tenantId)/oauth2/v2.0/token" }

    /// The client-credentials form of the collector app.
    func tokenForm(scope: String = Fixtures.graphScope) -> String {
        let allowed = CharacterSet.alphanumerics
        return [
            "grant_type=client_credentials",
            "client_id=\(tenant.apps.collector.clientId)",
            "client_secret=\(tenant.apps.collector.clientSecret.addingPercentEncoding(withAllowedCharacters: allowed)!)",
            "scope=\(scope.addingPercentEncoding(withAllowedCharacters: allowed)!)",
        ].joined(separator: "&")
    }

    /// With a timeout of its own, so tests of short client timeouts still get their token.
    func tokenRequest() -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(tokenForm().utf8), timeout: .seconds(10))
    }

    /// A Graph token, fetched through `client`.
    func graphToken(_ client: HTTPClient) async throws -> String {
        let response = try await client.execute(tokenRequest())
        guard response.status == 200, let token = Fixtures.json(response.body)?["access_token"] as? String else {
            throw TestError("no token: \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return token
    }

    func graphRequest(_ path: String, token: String, timeout: Duration? = nil) -> HTTPRequest {
        HTTPRequest(url: baseURL + path, headers: [("Authorization", "Bearer \(token)")], timeout: timeout)
    }

    /// Replaces the fault plan (`{}` clears every fault), through a client of its own.
    func setFaults(_ json: String) async throws {
        try await send("PUT", "/sim/faults", json)
    }

    func send(_ method: String, _ path: String, _ json: String) async throws {
        let client = HTTPClient(configuration: Fixtures.configuration(), logger: Fixtures.logger())
        defer { Task { await client.shutdown() } }
        let response = try await client.execute(
            HTTPRequest(
                method: method, url: baseURL + path, headers: [("Content-Type", "application/json")],
                body: Data(json.utf8)))
        guard (200..<300).contains(response.status) else {
            throw TestError("\(method) \(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
    }
}

/// Runs `body` against a fresh simulator and client, and stops both afterwards.
func withSimulator<T>(
    _ configuration: HTTPClientConfiguration = Fixtures.configuration(), logger: Logger = Fixtures.logger(),
    _ body: (Simulator, HTTPClient) async throws -> T
) async throws -> T {
    let simulator = try await Simulator.start()
    let client = HTTPClient(configuration: configuration, logger: logger)
    do {
        let result = try await body(simulator, client)
        await client.shutdown()
        await simulator.stop()
        return result
    } catch {
        await client.shutdown()
        await simulator.stop()
        throw error
    }
}

/// A loopback port nothing listens on (``BoundLoopbackPort``).
typealias ClosedLoopbackPort = BoundLoopbackPort

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Every log line, rendered with its metadata, for tests that read the log.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(rendered)")
    }
}
