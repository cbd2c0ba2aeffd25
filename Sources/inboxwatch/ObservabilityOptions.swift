import ArgumentParser
import Logging
import Service

/// The worker commands' `/metrics`, `/healthz` and `/readyz` server (correlate, collect audit,
/// collect mail, act).
struct ObservabilityOptions: ParsableArguments {
    @Option(help: "Port of the /metrics, /healthz and /readyz server (0: no server, no metrics).")
    var metricsPort: Int = 0
    @Option(help: "Address the metrics server listens on.")
    var metricsHost: String = "0.0.0.0"

    mutating func validate() throws {
        try WorkerConfiguration.get().apply(&metricsPort, "metrics.port", flag: "metrics-port")
        guard (0...65_535).contains(metricsPort) else {
            throw ValidationError("--metrics-port \(metricsPort) is not a port: give 1-65535, or 0 for no server")
        }
    }

    /// The server to run beside the worker, with swift-metrics bootstrapped into its registry;
    /// nil when `--metrics-port` is 0.
    func server(readiness: Readiness) -> ObservabilityServer? {
        guard metricsPort > 0 else { return nil }
        return ObservabilityServer(
            host: metricsHost, port: metricsPort, registry: InboxwatchMetrics.bootstrap(), readiness: readiness)
    }
}

/// Runs `body` with `server` serving beside it: `body` starts once the server listens (so
/// `/readyz` answers "not ready" through the whole start, and a taken port stops the worker
/// before it does anything), the server stops when `body` returns, and a server that fails
/// stops `body` and throws.
func withObservabilityServer<T: Sendable>(
    _ server: ObservabilityServer?, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let server else { return try await body() }
    let (listening, listened) = AsyncStream.makeStream(of: Int.self)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            defer { listened.finish() }
            try await server.run { _ in listened.yield(0) }
            return nil
        }
        group.addTask {
            var iterator = listening.makeAsyncIterator()
            // Nothing means the server ended without listening: its own task throws why.
            guard await iterator.next() != nil else { return nil }
            return try await body()
        }
        while let result = try await group.next() {
            if let result {
                group.cancelAll()
                return result
            }
        }
        // The server returns only when cancelled, and nothing here cancels it before `body` ends.
        throw CancellationError()
    }
}
