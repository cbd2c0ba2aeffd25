import Foundation
import HTTP
import Logging
import Service

/// An observability server on a free loopback port, and GETs against it over real HTTP.
struct RunningObservabilityServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>
    let http: HTTPClient

    static func start(readiness: Readiness) async throws -> RunningObservabilityServer {
        var logger = Logger(label: "test.observability")
        logger.logLevel = .warning
        let server = ObservabilityServer(
            host: "127.0.0.1", port: 0, registry: InboxwatchMetrics.bootstrap(), readiness: readiness, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        // Unstructured on purpose: the server outlives this call and ends through `stop()`.
        let task = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw TestFailure("the observability server stopped before it was bound")
        }
        return RunningObservabilityServer(port: port, task: task, http: HTTPClient(logger: logger))
    }

    /// The status and body of `GET path`, with no retry (a 503 is the answer under test).
    func get(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await http.execute(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)")) { _ in .accept }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Polls `path` until `done` holds for its answer, or fails after `timeout`.
    func waitFor(
        _ path: String, timeout: Duration = .seconds(60), _ done: (Int, String) -> Bool
    ) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await get(path)
            if done(answer.status, answer.body) { return answer }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("\(path) never answered as expected; last: \(answer.status) \(answer.body)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await http.shutdown()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
