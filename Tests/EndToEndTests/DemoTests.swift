import Events
import Foundation
import HTTP
import InboxwatchTestSupport
import Logging
import Testing

/// `inboxwatch demo` as a new user runs it: a separate process, the whole pipeline inside.
@Suite("inboxwatch demo", .serialized)
struct DemoTests {
    @Test func theDemoTellsEveryPlantedStoryAndNothingElseAndClosesTheRemediationLoop() async throws {
        let binary = try InboxwatchBinary.locate()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).log")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).out")
        defer {
            try? FileManager.default.removeItem(at: log)
            try? FileManager.default.removeItem(at: out)
        }
        let child = try ChildProcess(binary, ["demo", "--json"], environment: [:], log: log, standardOutput: out)
        let status = await child.waitForExit()
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(status == 0, "see \(log.path): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let score = try #require(
            lines.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(score["score"] as? Double == 1)
        #expect((score["missing"] as? [String])?.isEmpty == true)
        #expect((score["unexpected"] as? [String])?.isEmpty == true)
        let decoder = BoundedJSONDecoder()
        let stories = try lines.dropLast().map { try decoder.decodeValue(StoryEvent.self, from: Array($0.utf8)).story }
        #expect(stories.count == score["planted"] as? Int)
        // The loop closed: the analyst's approved disable succeeded and contained its story; the
        // auto-response's requests ran as dry runs.
        let contained = stories.filter { $0.status == .contained }
        #expect(contained.count == 1)
        #expect(
            contained.first?.actions.contains {
                $0.action == .disableAccount && $0.outcome == .succeeded && $0.requestedBy.hasPrefix("analyst:")
            } == true)
        let automatic = stories.flatMap(\.actions).filter { $0.requestedBy.hasPrefix("autoPolicy:") }
        #expect(!automatic.isEmpty)
        #expect(automatic.allSatisfy { $0.outcome == .dryRun })
    }
}

/// `inboxwatch demo --metrics-port`, watched as an operator watches a worker: `/readyz` and
/// `/metrics` over HTTP while the pipeline runs.
@Suite("inboxwatch demo observed over HTTP", .serialized)
struct DemoObservabilityTests {
    @Test func readyzFlipsToReadyAfterRestoreAndMetricsShowThePipelinesWork() async throws {
        let port = try LoopbackPort.free()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).log")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).out")
        defer {
            try? FileManager.default.removeItem(at: log)
            try? FileManager.default.removeItem(at: out)
        }
        let child = try ChildProcess(
            try InboxwatchBinary.locate(),
            ["demo", "--follow", "--metrics-port", "\(port)", "--metrics-host", "127.0.0.1"],
            environment: [:], log: log, standardOutput: out)
        var logger = Logger(label: "test.demo-http")
        logger.logLevel = .critical
        // One attempt per poll: the client's own retries of a refused connection (before the
        // server listens) would return an answer seconds late, after readiness had changed.
        var configuration = HTTPClientConfiguration()
        configuration.retry.maximumAttempts = 1
        configuration.totalTimeout = .seconds(5)
        let http = HTTPClient(configuration: configuration, logger: logger)
        defer { child.kill(SIGKILL) }
        func get(_ path: String) async -> (status: Int, body: String)? {
            let request = HTTPRequest(url: "http://127.0.0.1:\(port)\(path)")
            guard let response = try? await http.execute(request, classify: { _ in .accept }) else { return nil }
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }

        // The server listens before the pipeline starts, so the first answer normally comes while
        // the collectors backfill. On a loaded machine the demo's own threads may not answer until
        // the restore is done, so only an answer that is not 200 is checked for what it names;
        // the flip itself is asserted without timing in ServiceTests (WorkerObservabilityTests).
        var first: (status: Int, body: String)?
        let deadline = ContinuousClock.now + .seconds(120)
        while first == nil, ContinuousClock.now < deadline {
            first = await get("/readyz")
            if first == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let notReady = try #require(first, "the demo never served /readyz; see \(log.path)")
        if notReady.status != 200 {
            #expect(notReady.status == 503)
            #expect(notReady.body.contains(#""ready":false"#), "\(notReady.body)")
        }

        var ready = notReady
        while ready.status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            ready = await get("/readyz") ?? ready
        }
        #expect(ready.status == 200, "\(ready.body)")
        for condition in ["collectors", "correlator", "action-worker"] {
            #expect(ready.body.contains(#""name":"\#(condition)","ready":true"#), "\(ready.body)")
        }

        // Once the report is printed every story is told, so the counters behind it are final.
        while ContinuousClock.now < deadline,
            !((try? String(contentsOf: out, encoding: .utf8)) ?? "").contains("Score against the scenarios")
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        let expected = [
            #"inboxwatch_kafka_records_consumed_total{topic="inboxwatch.raw.audit"} "#,
            #"inboxwatch_kafka_records_produced_total{topic="inboxwatch.stories"} "#,
            #"inboxwatch_stories_opened_total{detection="accountTakeover",criticality="critical"} "#,
            #"inboxwatch_actions_total{action="disableAccount",status="succeeded"} 1"#,
            #"inboxwatch_api_calls_total{api="management"} "#,
            #"inboxwatch_api_calls_total{api="graph"} "#,
            #"inboxwatch_kafka_consumer_lag{topic="inboxwatch.raw.audit",partition=""#,
            "inboxwatch_story_latency_seconds_bucket",
            "inboxwatch_correlator_tracked_users ",
        ]
        // Lag is sampled every few seconds, so it may show up a little after the report.
        var metrics = ""
        while ContinuousClock.now < deadline {
            if let answer = await get("/metrics"), answer.status == 200 { metrics = answer.body }
            if expected.allSatisfy(metrics.contains) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for line in expected { #expect(metrics.contains(line), "missing \(line)") }
        child.kill(SIGTERM)
        #expect(await child.waitForExit() == 0, "see \(log.path)")
        await http.shutdown()
    }
}
