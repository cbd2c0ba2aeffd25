import Actions
import Events
import Foundation
import Kafka
import Logging
import Service
import Testing

/// A real action worker against the embedded broker, observed the way an operator does: over
/// HTTP, on `/readyz` and `/metrics`.
@Suite struct WorkerObservabilityTests {
    @Test func anActionWorkerIsReadyOnlyAfterRestoringItsOutcomesAndItsWorkShowsOnMetrics() async throws {
        let readiness = Readiness()
        let server = try await RunningObservabilityServer.start(readiness: readiness)
        defer { Task { await server.stop() } }
        var logger = Logger(label: "test.worker")
        logger.logLevel = .critical
        let catalog = TopicCatalog(prefix: "inboxwatch", keyedPartitions: 3)
        let broker = try EmbeddedKafka(topics: catalog.specs, logger: logger)
        let kafka = KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"])
        let key = CommandSigner.generate()
        var settings = ActionWorkerSettings(
            kafka: kafka, catalog: catalog, policy: ActionPolicy(),
            verifier: try CommandVerifier(trusted: ["analyst": key.publicKeyBase64]), graphs: [:])
        settings.onReadiness = readiness.reporter("action-worker")
        let worker = ActionWorker(settings: settings, logger: logger)

        // Not ready before the worker has joined its group and read its memory.
        let before = try await server.get("/readyz")
        #expect(before.status == 503 && before.body.contains("action-worker"))

        let running = Task { try await worker.run() }
        defer { running.cancel() }
        let ready = try await server.waitFor("/readyz") { status, _ in status == 200 }
        #expect(ready.body.contains(#""ready":true"#))

        // An unsigned command: the worker refuses it, records the outcome and dead-letters it.
        let now = Date()
        let command = RemediationCommand(
            commandId: "cmd-observed", tenantId: "contoso.example",
            target: RemediationCommand.Target(user: "alice@contoso.example"), action: .revokeSessions,
            requestedBy: RemediationCommand.Requester(kind: .analyst, identity: "sam@contoso.example"),
            reason: "test", dryRun: false, issuedAt: now, expiresAt: now.addingTimeInterval(3600), nonce: "n-1")
        try await RemediationClient(kafka: kafka, catalog: catalog, logger: logger).publish([command])

        let expected = [
            #"inboxwatch_actions_total{action="revokeSessions",status="rejected"} "#,
            #"inboxwatch_kafka_records_consumed_total{topic="inboxwatch.remediation.commands"} "#,
            #"inboxwatch_kafka_records_produced_total{topic="inboxwatch.remediation.outcomes"} "#,
            #"inboxwatch_deadletters_total{stage="action-worker",error_class=""#,
            "inboxwatch_action_worker_remembered_outcomes ",
            #"inboxwatch_kafka_consumer_lag{topic="inboxwatch.remediation.commands",partition=""#,
        ]
        let metrics = try await server.waitFor("/metrics") { _, body in expected.allSatisfy(body.contains) }
        #expect(metrics.body.contains("# TYPE inboxwatch_actions_total counter"))
        #expect(metrics.body.contains("# TYPE inboxwatch_kafka_consumer_lag gauge"))
        running.cancel()
        _ = try? await running.value
    }
}
