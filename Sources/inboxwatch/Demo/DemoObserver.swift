import Actions
import Events
import Foundation
import Kafka
import Logging
import Synchronization
import TenantSimulator

/// What the demo's parts report to its observer while they run.
final class DemoStatus: Sendable {
    struct Counts: Sendable {
        /// Records read back from the raw topics.
        var rawRecords = 0
        var collectorsDone = false
    }

    private let counts = Mutex(Counts())

    func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }

    var snapshot: Counts { counts.withLock { $0 } }
}

/// Watches the stories and outcomes topics as an analyst would: shows progress, closes the
/// remediation loop (asks to disable the first taken-over account, which the worker holds for
/// approval, and approves it), and says when the run has told every story it should.
struct DemoObserver: Sendable {
    let pipeline: DemoPipeline
    let status: DemoStatus
    let deadline: ContinuousClock.Instant
    let showProgress: Bool

    /// What the observer saw, for the final report.
    struct Seen: Sendable {
        var stories: [String: StoryEvent] = [:]
        var outcomes: [String: RemediationOutcome] = [:]
        /// The analyst's command and its approval, once sent.
        var analystCommand: RemediationCommand?
        var approval: RemediationCommand?
        var timedOut = false

        var views: [StoryView] { stories.values.map(\.story) }
    }

    /// Runs until the run is complete (or the deadline passes), then returns what it saw.
    ///
    /// The raw records are counted in a task of their own: broker round trips for the progress
    /// line inside this loop once held up the analyst's approval (and so the whole demo) by
    /// seconds per line on a terminal.
    func observe() async throws -> Seen {
        guard showProgress else { return try await watch() }
        return try await withThrowingTaskGroup(of: Seen?.self) { group in
            group.addTask {
                try await countRawRecords()
                return nil
            }
            group.addTask { try await watch() }
            while let result = try await group.next() {
                guard let result else { continue }
                group.cancelAll()
                return result
            }
            throw CancellationError()
        }
    }

    /// Reads the raw topics as a consumer of their own and counts what the collectors have published.
    func countRawRecords() async throws {
        let consumer = try KafkaConsumer(
            configuration: pipeline.kafka, groupID: "inboxwatch.demo.progress",
            topics: [pipeline.catalog.rawAudit, pipeline.catalog.rawMail], logger: pipeline.logger,
            countsRecords: false)
        var events = consumer.events(pollTimeoutMilliseconds: 250).makeAsyncIterator()
        do {
            reading: while !Task.isCancelled {
                switch try await events.poll() {
                case .finished: break reading
                case .event(.message): status.update { $0.rawRecords += 1 }
                case .idle, .event(.partitionsAssigned), .event(.partitionsRevoked): break
                }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    func watch() async throws -> Seen {
        let consumer = try KafkaConsumer(
            configuration: pipeline.kafka, groupID: "inboxwatch.demo.observer",
            topics: [pipeline.catalog.stories, pipeline.catalog.remediationOutcomes], logger: pipeline.logger)
        var seen = Seen()
        let decoder = BoundedJSONDecoder()
        var events = consumer.events(pollTimeoutMilliseconds: 250).makeAsyncIterator()
        var lastShown = ContinuousClock.now - .seconds(10)
        do {
            while ContinuousClock.now < deadline {
                switch try await events.poll() {
                case .finished:
                    throw CancellationError()
                case .idle, .event(.partitionsAssigned), .event(.partitionsRevoked):
                    break
                case .event(.message(let message)):
                    let bytes = message.value ?? []
                    if message.topic == pipeline.catalog.stories,
                        let event = try? decoder.decodeValue(StoryEvent.self, from: bytes),
                        (seen.stories[event.storyId]?.sequence ?? 0) < event.sequence
                    {
                        seen.stories[event.storyId] = event
                    } else if let outcome = try? decoder.decodeValue(RemediationOutcome.self, from: bytes) {
                        let key = TopicKeys.outcome(commandID: outcome.commandId)
                        if !(seen.outcomes[key]?.status.isFinal ?? false) { seen.outcomes[key] = outcome }
                    }
                }
                try await closeTheLoop(&seen)
                if showProgress, ContinuousClock.now - lastShown >= .seconds(1) {
                    lastShown = ContinuousClock.now
                    show(seen)
                }
                if isComplete(seen) { break }
            }
        } catch {
            await consumer.close()
            throw error
        }
        seen.timedOut = !isComplete(seen)
        if showProgress {
            show(seen)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        await consumer.close()
        return seen
    }

    /// The analyst's part: disable the first taken-over account (held: disabling waits for an
    /// analyst under the demo's policy), then approve it.
    func closeTheLoop(_ seen: inout Seen) async throws {
        if seen.analystCommand == nil,
            let takeover = seen.views.filter({ $0.detection == Detection.accountTakeover.rawValue })
                .min(by: { $0.id < $1.id })
        {
            let command = try pipeline.analyst.sign(
                RemediationClient.command(
                    tenantId: pipeline.tenantId, target: .init(user: takeover.user), action: .disableAccount,
                    analyst: "analyst@demo", reason: "confirmed takeover: \(takeover.title)", storyId: takeover.id,
                    dryRun: false, lifetime: 3600))
            try await pipeline.client.publish([command])
            seen.analystCommand = command
        }
        if seen.approval == nil, let command = seen.analystCommand,
            seen.outcomes[TopicKeys.outcome(commandID: command.commandId)]?.status == .held
        {
            let approval = try pipeline.analyst.sign(
                RemediationClient.command(
                    tenantId: command.tenantId, target: command.target, action: .approve, analyst: "analyst@demo",
                    reason: "approved after a call with the user's manager", storyId: command.storyId, dryRun: false,
                    lifetime: 3600, approves: command.commandId))
            try await pipeline.client.publish([approval])
            seen.approval = approval
        }
    }

    func score(_ seen: Seen) -> GroundTruthScore {
        GroundTruthScore(truth: pipeline.tenant.world.groundTruth, stories: seen.views)
    }

    /// Every planted story told and nothing else, every command answered, and the approved
    /// command recorded on its story.
    func isComplete(_ seen: Seen) -> Bool {
        guard status.snapshot.collectorsDone, score(seen).isPerfect, let command = seen.analystCommand else {
            return false
        }
        let requested = seen.views.flatMap(\.actions)
        guard requested.allSatisfy({ $0.outcome?.isFinal ?? false }) else { return false }
        return requested.contains { $0.commandId == command.commandId && $0.outcome == .succeeded }
    }

    func show(_ seen: Seen) {
        let counts = status.snapshot
        let collected = counts.rawRecords
        let score = score(seen)
        let actions = seen.views.flatMap(\.actions)
        var line = "collected \(collected) records"
        line += counts.collectorsDone ? " (done)" : ""
        line += " · stories \(score.found)/\(score.lines.count) expected"
        if !score.unexpected.isEmpty { line += ", \(score.unexpected.count) unexpected" }
        line += " · actions \(actions.count { $0.outcome?.isFinal ?? false })/\(actions.count) done"
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }
}
