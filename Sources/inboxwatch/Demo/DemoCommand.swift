import ArgumentParser
import Events
import Foundation
import Kafka
import Logging
import Service
import TenantSimulator

/// `inboxwatch demo`: the whole pipeline on the embedded broker and a simulated tenant, ending
/// with the stories an analyst reads and a score against the scenarios' ground truth.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on an embedded broker and a simulated tenant, then show the stories.",
        discussion: """
            Starts the embedded Kafka broker, a simulated Microsoft 365 tenant whose day (every attack \
            scenario among ordinary users) is already published, both collectors, the correlator with an \
            auto-response rule (takeover stories ask for containment as a dry run) and the action worker \
            (disabling an account waits for an analyst: the demo asks for one and approves it). Shows \
            progress, then prints every story — criticality, title, user, timeline, entities, evidence, \
            actions and outcomes — and the score against the ground truth. Exit status 0 at 100 %.
            """)

    @Option(
        name: .customLong("scenario"),
        help: "An attack scenario to play (repeatable; default: every attack).")
    var scenarios: [String] = ScenarioCatalog.attacks.map(\.name)
    @Option(help: "Users in the tenant.") var users: Int = 60
    @Option(help: "Hours of tenant activity.") var hours: Double = 8
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 31
    @Option(help: "Give up after this long.") var timeout: IntervalArgument = .init(seconds: 240)
    @Flag(help: "Print one JSON story event per line (the latest of each story), then the score as JSON.")
    var json = false
    @Flag(help: "Keep running after the report, printing story changes until Ctrl-C.") var follow = false
    @Option(help: "Log level of the pipeline's own logs (they go to stderr).") var logLevel: String = "error"
    @OptionGroup var observability: ObservabilityOptions

    func validate() throws {
        for name in scenarios where ScenarioCatalog.named(name) == nil {
            throw ValidationError(
                "--scenario \(name) is not a scenario; use some of \(ScenarioCatalog.attacks.map(\.name).joined(separator: ", "))"
            )
        }
        guard (10...2_000).contains(users) else { throw ValidationError("--users must be between 10 and 2000") }
        guard hours > 0, hours <= 48 else { throw ValidationError("--hours must be more than 0 and at most 48") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not a level")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "inboxwatch.demo")
        let started = ContinuousClock.now
        // The same /metrics and /readyz a deployed worker serves, listening before anything starts:
        // the collectors are ready once the day is collected, the correlator and the action
        // worker once they have restored.
        let readiness = Readiness()
        readiness.register("collectors", reason: "starting the broker and the simulated tenant")
        let correlatorReadiness = readiness.reporter("correlator", initialReason: "waiting for the collectors")
        let actionWorkerReadiness = readiness.reporter("action-worker")
        let server = observability.server(readiness: readiness)
        if let server { note("serving /metrics, /healthz and /readyz on port \(server.port)") }
        try await withObservabilityServer(server) {
            try await play(
                readiness: readiness, correlatorReadiness: correlatorReadiness,
                actionWorkerReadiness: actionWorkerReadiness, started: started, logger: logger)
        }
    }

    func play(
        readiness: Readiness, correlatorReadiness: @escaping WorkerReadiness.Callback,
        actionWorkerReadiness: @escaping WorkerReadiness.Callback, started: ContinuousClock.Instant, logger: Logger
    ) async throws {
        note(
            "starting the embedded broker and a simulated tenant (\(users) users, \(scenarios.count) attack scenarios)")
        let pipeline = try await DemoPipeline.start(
            scenarios: scenarios, users: users, hours: hours, seed: seed, partitions: 4, logger: logger)
        note("tenant \(pipeline.tenantId) at \(pipeline.server.baseURL), broker \(pipeline.broker.bootstrapServers)")
        readiness.set("collectors", ready: false, reason: "collecting the tenant's day")
        let status = DemoStatus()
        let observer = DemoObserver(
            pipeline: pipeline, status: status, deadline: started + timeout.duration,
            showProgress: isatty(STDERR_FILENO) == 1 || !json)
        let seen = try await withThrowingTaskGroup(of: DemoObserver.Seen?.self) { group in
            group.addTask {
                try await pipeline.collect()
                status.update { $0.collectorsDone = true }
                readiness.set("collectors", ready: true)
                // The correlator starts once the day is collected, as a backfill would.
                try await pipeline.correlator(onReadiness: correlatorReadiness).run()
                return nil
            }
            group.addTask {
                try await pipeline.actionWorker(onReadiness: actionWorkerReadiness).run()
                return nil
            }
            group.addTask { try await observer.observe() }
            var seen: DemoObserver.Seen?
            while let result = try await group.next() {
                guard let result else { continue }
                seen = result
                if !follow { group.cancelAll() }
                break
            }
            guard let seen else { throw ValidationError("the demo stopped before it finished") }
            report(seen, observer: observer, elapsed: ContinuousClock.now - started)
            fflush(nil)  // stdout is a file or pipe when redirected: lines must not wait in its buffer
            if follow {
                note("following: story changes as they are written; Ctrl-C to stop")
                group.addTask {
                    _ = await waitForTerminationSignal()
                    return nil
                }
                group.addTask {
                    try await printChanges(after: seen, pipeline: pipeline)
                    return nil
                }
                _ = try await group.next()
                group.cancelAll()
            }
            try await group.waitForAll()
            return seen
        }
        await pipeline.stop()
        if !observer.score(seen).isPerfect || seen.timedOut { throw ExitCode(1) }
    }

    /// Every story event newer than what the report showed, as it is written.
    func printChanges(after seen: DemoObserver.Seen, pipeline: DemoPipeline) async throws {
        let consumer = try KafkaConsumer(
            configuration: pipeline.kafka, groupID: "inboxwatch.demo.follow", topics: [pipeline.catalog.stories],
            logger: pipeline.logger, countsRecords: false)
        var shown = seen.stories.mapValues(\.sequence)
        let decoder = BoundedJSONDecoder()
        do {
            for try await case .message(let message) in consumer.events {
                guard let event = try? decoder.decodeValue(StoryEvent.self, from: message.value ?? []),
                    (shown[event.storyId] ?? 0) < event.sequence
                else { continue }
                shown[event.storyId] = event.sequence
                if json {
                    if let bytes = try? EventEncoder().encode(event) { print(String(decoding: bytes, as: UTF8.self)) }
                } else {
                    print(StoryText.render(event) + "\n")
                }
                fflush(nil)  // stdout is a file or pipe when redirected: lines must not wait in its buffer
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    func report(_ seen: DemoObserver.Seen, observer: DemoObserver, elapsed: Duration) {
        let score = observer.score(seen)
        let visible = Set(score.lines.compactMap(\.storyId)).union(score.unexpected.map(\.id))
        let events = seen.stories.values.filter { visible.contains($0.storyId) }.sorted {
            ($0.story.criticality, $1.story.openedAt) > ($1.story.criticality, $0.story.openedAt)
        }
        if json {
            for event in events {
                if let bytes = try? EventEncoder().encode(event) { print(String(decoding: bytes, as: UTF8.self)) }
            }
            print(DemoScoreText.json(score, elapsed: elapsed))
            return
        }
        for event in events {
            print(StoryText.render(event))
            print("")
        }
        print(DemoScoreText.render(score, elapsed: elapsed, timedOut: seen.timedOut))
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data("inboxwatch demo: \(text)\n".utf8))
    }
}

/// The score as an analyst reads it, and as a machine does.
enum DemoScoreText {
    static func render(_ score: GroundTruthScore, elapsed: Duration, timedOut: Bool) -> String {
        var lines = [
            "Score against the scenarios' ground truth: \(score.found) of \(score.lines.count) planted stories told, "
                + "\(score.unexpected.count) unexpected — \(Int((score.value * 100).rounded())) %"
                + " (in \(Int(elapsed.components.seconds)) s)"
        ]
        for line in score.lines.sorted(by: {
            ($0.expected.attack, $0.expected.user) < ($1.expected.attack, $1.expected.user)
        }) {
            let expected = line.expected
            lines.append(
                "  \(line.storyId == nil ? "MISSING" : "found  ")  \(expected.attack)  \(expected.user)  "
                    + "\(expected.detection.rawValue) \(expected.criticality.rawValue)")
        }
        for story in score.unexpected {
            lines.append("  UNEXPECTED  \(story.user)  \(story.detection) \(story.criticality.rawValue)  \(story.id)")
        }
        if timedOut { lines.append("The demo ran out of time before every story was told (see --timeout).") }
        return lines.joined(separator: "\n")
    }

    static func json(_ score: GroundTruthScore, elapsed: Duration) -> String {
        let object: [String: Any] = [
            "score": score.value, "planted": score.lines.count, "found": score.found,
            "missing": score.missing.map { "\($0.user) \($0.detection.rawValue) \($0.criticality.rawValue)" },
            "unexpected": score.unexpected.map { "\($0.user) \($0.detection) \($0.criticality.rawValue)" },
            "seconds": Int(elapsed.components.seconds),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
