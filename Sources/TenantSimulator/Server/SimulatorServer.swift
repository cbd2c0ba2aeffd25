import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle

/// Serves a ``SimulatedTenant`` over HTTP on loopback. A thin adapter: it turns
/// each request into a ``SimRequest`` and the tenant's answer into a response.
public enum SimulatorServer {
    /// Largest request body accepted; token requests and Graph writes are small.
    static let maximumRequestBody = 4 << 20

    /// Runs until the calling task is cancelled or, when given, until `stop`
    /// returns, which starts a graceful shutdown (requests in flight finish).
    /// `onReady` receives the base URL once the socket is bound (port 0 picks a free port).
    public static func run(
        tenant: SimulatedTenant, host: String = "127.0.0.1", port: Int = 0,
        stop: (@Sendable () async -> Void)? = nil, logger: Logger,
        onReady: @escaping @Sendable (String) async -> Void
    ) async throws {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: maximumRequestBody)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            let simRequest = SimRequest(
                method: request.method.rawValue, target: target, headers: headers, body: Data(buffer: body))
            let answer = await tenant.handle(simRequest)
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "inboxwatch-simulator"),
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? port
                let url = "http://\(host):\(boundPort)"
                await tenant.bind(baseURL: url)
                await onReady(url)
            },
            logger: logger)
        guard let stop else {
            try await application.run()
            return
        }
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        enum Finished { case server, stopRequested }
        try await withThrowingTaskGroup(of: Finished.self) { tasks in
            tasks.addTask {
                try await services.run()
                return .server
            }
            tasks.addTask {
                await stop()
                await services.triggerGracefulShutdown()
                return .stopRequested
            }
            // A stop request lets the server drain; a server that ends on its own ends the wait.
            if try await tasks.next() == .server { tasks.cancelAll() }
            try await tasks.waitForAll()
        }
    }
}

/// A simulator server running in the background, for tests and tools that embed
/// it: its URL once bound, and a graceful stop.
public struct RunningSimulatorServer: Sendable {
    public let baseURL: String
    private let task: Task<Void, any Error>
    private let stopRequest: AsyncStream<Void>.Continuation

    /// Starts serving `tenant` on a free loopback port and returns once it is bound.
    public static func start(tenant: SimulatedTenant, host: String = "127.0.0.1", logger: Logger) async throws
        -> RunningSimulatorServer
    {
        let (urls, urlContinuation) = AsyncStream.makeStream(of: String.self)
        let (stops, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        // Unstructured on purpose: the server outlives this call and ends through `stop()`.
        let task = Task {
            defer { urlContinuation.finish() }
            try await SimulatorServer.run(
                tenant: tenant, host: host, stop: { for await _ in stops { return } }, logger: logger
            ) { url in
                urlContinuation.yield(url)
            }
        }
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else {
            try await task.value
            throw SimulatorStartError(message: "the simulator stopped before it was bound to \(host)")
        }
        return RunningSimulatorServer(baseURL: url, task: task, stopRequest: stopContinuation)
    }

    /// Stops accepting connections, lets requests in flight finish, and returns when the server has ended.
    public func stop() async throws {
        stopRequest.yield()
        stopRequest.finish()
        try await task.value
    }
}

/// Why ``RunningSimulatorServer/start(tenant:host:logger:)`` could not start a server.
public struct SimulatorStartError: Error, Sendable, Hashable {
    public var message: String
}
