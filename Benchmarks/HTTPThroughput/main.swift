// Requests per second and CPU cost per request of the HTTP layer (HTTPClient
// over libcurl) against the tenant simulator on loopback.
//
//   swift run -c release HTTPThroughput --requests 20000 --concurrency 32
//
// The simulator runs in a child process (this same binary with `--serve`), so
// the client's CPU time (getrusage of this process) is not mixed with the
// server's; the server's own CPU time is read from /proc for comparison.

import ArgumentParser
import Foundation
import HTTP
import Logging
import Synchronization
import TenantSimulator

#if canImport(Glibc)
    import Glibc
#endif

@main
struct HTTPThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Requests/s and CPU per request of HTTPClient against the tenant simulator on loopback.")

    @Option(help: "Requests to measure.")
    var requests = 20_000

    @Option(help: "Requests in flight at once.")
    var concurrency = 32

    @Option(help: "Requests sent before measuring (connections, caches).")
    var warmup = 1_000

    @Flag(help: "GET /v1.0/domains with a bearer token (token check, Graph routing, JSON) instead of /sim/clock.")
    var graph = false

    @Flag(help: "Run the simulator in this process (CPU figures then include the server).")
    var inProcess = false

    @Flag(help: .hidden)
    var serve = false

    func run() async throws {
        if serve {
            try await Self.serveSimulator()
            return
        }
        guard requests > 0, concurrency > 0, warmup >= 0 else {
            throw ValidationError("--requests and --concurrency must be positive, --warmup not negative")
        }
        let server: Server = inProcess ? try await .inProcess() : try .childProcess()
        var logger = Logger(label: "HTTPThroughput")
        logger.logLevel = .warning
        var configuration = HTTPClientConfiguration()
        configuration.maximumConcurrentRequests = max(concurrency, 1)
        let client = HTTPClient(configuration: configuration, logger: logger)

        var headers: [(name: String, value: String)] = []
        let path = graph ? "/v1.0/domains" : "/sim/clock"
        if graph {
            let token = try await Self.token(client: client, baseURL: server.baseURL)
            headers.append((name: "Authorization", value: "Bearer \(token)"))
        }
        let request = HTTPRequest(url: server.baseURL + path, headers: headers)

        _ = try await Self.fire(client: client, request: request, count: warmup, concurrency: concurrency)
        let serverBefore = server.cpuSeconds()
        let clientBefore = Self.processCPU()
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try await Self.fire(client: client, request: request, count: requests, concurrency: concurrency)
        let elapsed = started.duration(to: clock.now)
        let clientAfter = Self.processCPU()
        let serverAfter = server.cpuSeconds()
        await client.shutdown()
        await server.stop()

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perRequest = { (cpu: Double) in String(format: "%.1f µs", cpu / Double(self.requests) * 1e6) }
        let latencies = outcome.latencies.sorted()
        func percentile(_ p: Double) -> String {
            String(format: "%.2f ms", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000)
        }
        print("HTTPThroughput: \(requests) GETs of \(path), concurrency \(concurrency), simulator \(server.kind)")
        print(String(format: "  requests/s:        %.0f", Double(requests) / seconds))
        print("  latency p50 / p99: \(percentile(0.5)) / \(percentile(0.99))")
        print(
            "  client CPU/request: \(perRequest(clientAfter.total - clientBefore.total)) "
                + "(user \(perRequest(clientAfter.user - clientBefore.user)), "
                + "sys \(perRequest(clientAfter.system - clientBefore.system)))"
                + (inProcess ? "  [includes the in-process simulator]" : ""))
        if let serverBefore, let serverAfter {
            print("  simulator CPU/request: \(perRequest(serverAfter - serverBefore))")
        }
        print("  non-200 responses: \(outcome.failures)")
        if outcome.failures > 0 { throw ExitCode.failure }
    }

    struct Outcome {
        var latencies: [Double] = []
        var failures = 0
    }

    /// `count` requests from `concurrency` workers; latencies in seconds.
    static func fire(client: HTTPClient, request: HTTPRequest, count: Int, concurrency: Int) async throws -> Outcome {
        let next = Counter()
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            for _ in 0..<min(concurrency, max(count, 1)) {
                group.addTask {
                    var outcome = Outcome()
                    let clock = ContinuousClock()
                    while next.take() < count {
                        let started = clock.now
                        let response = try await client.execute(request)
                        let elapsed = started.duration(to: clock.now)
                        outcome.latencies.append(
                            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                        if response.status != 200 { outcome.failures += 1 }
                    }
                    return outcome
                }
            }
            var total = Outcome()
            for try await outcome in group {
                total.latencies += outcome.latencies
                total.failures += outcome.failures
            }
            return total
        }
    }

    static func token(client: HTTPClient, baseURL: String) async throws -> String {
        let info = try await client.execute(HTTPRequest(url: baseURL + "/sim/info"))
        guard let object = try JSONSerialization.jsonObject(with: info.body) as? [String: Any],
            let tokenURL = object["tokenURL"] as? String, let clientId = object["clientId"] as? String,
            let secret = object["clientSecret"] as? String
        else { throw ValidationError("the simulator's /sim/info has no tokenURL/clientId/clientSecret") }
        let allowed = CharacterSet.alphanumerics
        let form = [
            "grant_type=client_credentials", "client_id=\(clientId)",
            "client_secret=\(secret.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")",
            "scope=\("https://graph.microsoft.com/.default".addingPercentEncoding(withAllowedCharacters: allowed) ?? "")",
        ].joined(separator: "&")
        let response = try await client.execute(
            HTTPRequest(
                method: "POST", url: tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Data(form.utf8)))
        guard
            let token = (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["access_token"]
                as? String
        else { throw ValidationError("no token from the simulator: status \(response.status)") }
        return token
    }

    static func processCPU() -> (user: Double, system: Double, total: Double) {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return (user, system, user + system)
    }

    static func simulatorTenant() -> SimulatedTenant {
        let start = Date(timeIntervalSince1970: 1_795_132_800)
        return SimulatedTenant(
            configuration: SimulatorConfiguration(
                seed: 7, scenarios: [], start: start, duration: 6 * 3600, userCount: 20),
            clock: SimulationClock(.manual(start.addingTimeInterval(31 * 3600))), faults: FaultPlan())
    }

    /// `--serve`: runs the simulator until SIGTERM and prints its URL on the first line.
    static func serveSimulator() async throws {
        var logger = Logger(label: "HTTPThroughput.simulator")
        logger.logLevel = .critical
        // The parent ends this child process with a signal; nothing needs draining.
        try await SimulatorServer.run(tenant: simulatorTenant(), logger: logger) { url in
            print(url)
            fflush(nil)  // all streams: stdout goes to a pipe, fully buffered
        }
    }
}

/// Hands out request numbers to the workers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Where the simulator runs, and how to read its CPU time.
struct Server: Sendable {
    let baseURL: String
    let kind: String
    let process: Process?
    let task: Task<Void, any Error>?

    static func childProcess() throws -> Server {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--serve"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw ValidationError("the simulator process exited before it was ready") }
            buffer += chunk
        }
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n")[0]
        return Server(baseURL: String(line), kind: "in a child process", process: process, task: nil)
    }

    static func inProcess() async throws -> Server {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        var logger = Logger(label: "HTTPThroughput.simulator")
        logger.logLevel = .critical
        let tenant = HTTPThroughput.simulatorTenant()
        let task = Task {
            try await SimulatorServer.run(tenant: tenant, logger: logger) { url in
                continuation.yield(url)
                continuation.finish()
            }
        }
        var iterator = stream.makeAsyncIterator()
        guard let url = await iterator.next() else { throw ValidationError("the simulator did not start") }
        return Server(baseURL: url, kind: "in this process", process: nil, task: task)
    }

    /// The child's user + system CPU seconds, from /proc/<pid>/stat.
    func cpuSeconds() -> Double? {
        guard let process,
            let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() async {
        if let process {
            process.terminate()
            process.waitUntilExit()
        }
        if let task {
            task.cancel()
            _ = await task.result
        }
    }
}
