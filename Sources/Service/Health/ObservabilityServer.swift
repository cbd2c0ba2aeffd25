import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
public import Prometheus
import ServiceLifecycle

/// The small HTTP server every worker runs beside its work: `/metrics` (Prometheus text),
/// `/healthz` (200 while the process lives) and `/readyz` (200 when every readiness condition
/// holds, otherwise 503 with a JSON body naming the ones that do not and why).
public struct ObservabilityServer: Sendable {
    public var host: String
    public var port: Int
    public let registry: PrometheusCollectorRegistry
    public let readiness: Readiness
    let logger: Logger

    public init(
        host: String = "0.0.0.0", port: Int, registry: PrometheusCollectorRegistry, readiness: Readiness,
        logger: Logger = Logger(label: "inboxwatch.observability")
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
    }

    /// Serves until the calling task is cancelled. `onListening` receives the bound port (port 0
    /// binds a free one, for tests).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        let registry = self.registry
        let readiness = self.readiness
        router.get("/healthz") { _, _ in
            Self.response(.ok, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
        }
        router.get("/readyz") { _, _ in
            let report = readiness.report
            return Self.response(
                report.isReady ? .ok : .serviceUnavailable, contentType: "application/json",
                body: Self.readinessBody(report))
        }
        router.get("/metrics") { _, _ in
            Self.response(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
        }
        let port = self.port
        let logger = self.logger
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "inboxwatch"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("serving /metrics, /healthz and /readyz", metadata: ["port": "\(bound)"])
                await onListening(bound)
            },
            logger: logger)
        // Cancelling the caller shuts the server down gracefully: cancelling the server itself
        // would close its channels under it and log errors on every clean stop.
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [application], logger: logger))
        let serving = Task { try await services.run() }
        try await withTaskCancellationHandler {
            try await serving.value
        } onCancel: {
            Task { await services.triggerGracefulShutdown() }
        }
    }

    /// `{"ready":false,"notReady":[{"name":…,"reason":…}],"conditions":[…]}`.
    static func readinessBody(_ report: Readiness.Report) -> [UInt8] {
        struct Body: Encodable {
            var ready: Bool
            var notReady: [Readiness.Condition]
            var conditions: [Readiness.Condition]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Body(ready: report.isReady, notReady: report.notReady, conditions: report.conditions)
        return Array((try? encoder.encode(body)) ?? Data(#"{"ready":false}"#.utf8)) + [UInt8(ascii: "\n")]
    }

    static func response(_ status: HTTPResponse.Status, contentType: String, body: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
