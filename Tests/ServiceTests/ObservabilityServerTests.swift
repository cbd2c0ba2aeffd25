import Foundation
import Service
import Testing

@Suite struct ObservabilityServerTests {
    @Test func healthzAnswersWhileTheProcessLivesAndReadyzNamesTheConditionsNotYetTrue() async throws {
        let readiness = Readiness()
        let correlator = readiness.reporter("correlator", initialReason: "restoring state")
        readiness.register("collect.audit/contoso")
        let server = try await RunningObservabilityServer.start(readiness: readiness)
        defer { Task { await server.stop() } }

        let health = try await server.get("/healthz")
        #expect(health.status == 200)

        let notReady = try await server.get("/readyz")
        #expect(notReady.status == 503)
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(notReady.body.utf8)) as? [String: Any])
        #expect(body["ready"] as? Bool == false)
        let named = (body["notReady"] as? [[String: Any]] ?? []).compactMap { entry in
            (entry["name"] as? String).map { ($0, entry["reason"] as? String ?? "") }
        }
        #expect(named.map(\.0) == ["collect.audit/contoso", "correlator"])
        #expect(named.last?.1 == "restoring state")

        correlator(true, "")
        let half = try await server.get("/readyz")
        #expect(half.status == 503 && !half.body.contains(#""name":"correlator","ready":false"#))
        readiness.set("collect.audit/contoso", ready: true)
        #expect(try await server.get("/readyz").status == 200)

        correlator(false, "all Kafka brokers are down")
        let down = try await server.get("/readyz")
        #expect(down.status == 503 && down.body.contains("all Kafka brokers are down"))
    }

    @Test func metricsServesPrometheusText() async throws {
        let server = try await RunningObservabilityServer.start(readiness: Readiness())
        defer { Task { await server.stop() } }
        let metrics = try await server.get("/metrics")
        #expect(metrics.status == 200)
        #expect(try await server.get("/nothing-here").status == 404)
    }
}
