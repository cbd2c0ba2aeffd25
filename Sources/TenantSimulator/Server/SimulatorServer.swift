import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore

/// Serves a ``SimulatedTenant`` over HTTP on loopback. A thin adapter: it turns
/// each request into a ``SimRequest`` and the tenant's answer into a response.
public enum SimulatorServer {
    /// Largest request body accepted; token requests and Graph writes are small.
    static let maximumRequestBody = 4 << 20

    /// Runs until the calling task is cancelled or, with `stopOnSignals`, until
    /// SIGINT or SIGTERM starts a graceful shutdown. `onReady` receives the base
    /// URL once the socket is bound (port 0 picks a free port).
    public static func run(
        tenant: SimulatedTenant, host: String = "127.0.0.1", port: Int = 0, stopOnSignals: Bool = false,
        logger: Logger, onReady: @escaping @Sendable (String) async -> Void
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
        if stopOnSignals {
            try await application.runService()
        } else {
            try await application.run()
        }
    }
}
