import Events
import Foundation
import Kafka
public import Logging

/// A correlator instance: a member of the correlator group reading both raw topics, running
/// the ``CorrelatorEngine`` over the partitions it is given, and writing story events, OCSF
/// findings, dead letters, auto-response commands and state snapshots.
///
/// The delivery rules, in order: story events are acknowledged before the snapshots that
/// reflect them are written, and snapshots before the offsets are committed. So a crash at any
/// point replays from the last checkpoint, the restored state skips what it already holds, and
/// the replay writes the same story events with the same ids (consumers drop repeats by `ce_id`).
/// With a transactional id, each checkpoint period is one Kafka transaction (story events,
/// snapshots and offsets together), and `read_committed` consumers see no replay at all.
/// On assignment an instance restores its partitions from the state topic before it reads
/// them; on revoke it checkpoints them first. The range assignor keeps partition N of both raw
/// topics (and of the state topic) on one instance.
///
/// Beside the group, every instance reads the commands, outcomes, verdicts and forwarding topics
/// whole (a consumer of its own group, nothing committed): the engine records each command,
/// outcome and verdict on its story when this instance owns the story's user, and keeps it for
/// the instance that owns it later; forwarding observations feed forwarding fan-in, which spans
/// users and so partitions.
public struct Correlator: Sendable {
    public var settings: CorrelatorSettings
    let logger: Logger

    public init(settings: CorrelatorSettings, logger: Logger = Logger(label: "inboxwatch.correlator")) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until the task is cancelled, then checkpoints every partition and leaves the group.
    public func run() async throws {
        let problems = settings.problems()
        guard problems.isEmpty else { throw CorrelatorSettingsError(problems: problems) }
        var consumerConfiguration = settings.kafka
        consumerConfiguration["partition.assignment.strategy"] = "range"
        if settings.transactionalID != nil {
            consumerConfiguration["isolation.level"] = "read_committed"
        }
        let catalog = settings.catalog
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration, groupID: settings.groupID,
            topics: [catalog.rawAudit, catalog.rawMail],
            maxBatch: 1_024, logger: logger)
        var feedbackConfiguration = settings.kafka
        feedbackConfiguration["enable.auto.commit"] = "false"
        feedbackConfiguration["auto.offset.reset"] = "earliest"
        let feedback: KafkaConsumer
        do {
            feedback = try KafkaConsumer(
                configuration: feedbackConfiguration,
                groupID: "\(settings.groupID).feedback.\(UUID().uuidString.lowercased())",
                topics: [
                    catalog.remediationCommands, catalog.remediationOutcomes, catalog.storyVerdicts,
                    catalog.correlatorForwarding,
                ],
                maxBatch: 256, logger: logger)
        } catch {
            await consumer.close()
            throw error
        }
        let producer: CorrelatorProducer
        do {
            producer = try await CorrelatorProducer.make(settings: settings, logger: logger)
        } catch {
            await consumer.close()
            await feedback.close()
            throw error
        }
        var loop = CorrelatorLoop(
            settings: settings, consumer: consumer, feedback: feedback, producer: producer, logger: logger)
        do {
            try await loop.run()
        } catch {
            await consumer.close()
            await feedback.close()
            await producer.close()
            throw error
        }
        await consumer.close()
        await feedback.close()
        try await producer.finish()
        await producer.close()
    }
}

/// Settings a correlator cannot run with, each problem with what to do.
public struct CorrelatorSettingsError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public var description: String { "the correlator cannot start:\n  " + problems.joined(separator: "\n  ") }
}

/// The state of one running instance: the engine, what waits to be sent, when it last checkpointed.
struct CorrelatorLoop: ~Copyable {
    let settings: CorrelatorSettings
    let consumer: KafkaConsumer
    let feedback: KafkaConsumer
    let producer: CorrelatorProducer
    let logger: Logger
    let records: CorrelatorRecords
    let codec: StateCodec
    let clock = ContinuousClock()
    var engine: CorrelatorEngine
    var outgoing: [KafkaProducerRecord] = []
    var lastCheckpoint: ContinuousClock.Instant
    var lastReported = CorrelatorCounters()
    /// Whether records were read since the last checkpoint.
    var readSinceCheckpoint = false
    var readiness: WorkerReadiness
    /// When the records read lately reached Kafka, to time the story events they cause.
    var ingestTimes = IngestTimes()
    /// Ingest times of the story events in `outgoing`, recorded once Kafka has them.
    var latencyStarts: [Int64] = []
    let decoder = BoundedJSONDecoder()
    static let quietCheckpointDelay = Duration.seconds(1)

    init(
        settings: CorrelatorSettings, consumer: KafkaConsumer, feedback: KafkaConsumer, producer: CorrelatorProducer,
        logger: Logger
    ) {
        self.settings = settings
        self.consumer = consumer
        self.feedback = feedback
        self.producer = producer
        self.logger = logger
        self.records = CorrelatorRecords(catalog: settings.catalog)
        self.codec = StateCodec(feedTopics: [.audit: settings.catalog.rawAudit, .mail: settings.catalog.rawMail])
        self.engine = CorrelatorEngine(configuration: settings.engine)
        self.lastCheckpoint = clock.now
        self.readiness = WorkerReadiness(settings.onReadiness)
    }

    mutating func run() async throws {
        var events = consumer.events.makeAsyncIterator()
        var feedbackEvents = feedback.events(pollTimeoutMilliseconds: 0).makeAsyncIterator()
        readiness.waiting("joining the correlator group and restoring the assigned partitions' state")
        try producer.begin()
        loop: while true {
            switch try await events.poll() {
            case .finished:
                break loop
            case .idle:
                await readiness.check(consumer)
                consumer.recordLag()
                take(engine.tick(now: clock.now))
                try await readFeedback(&feedbackEvents)
                try await send()
                // Input paused: make what was read durable soon rather than a full interval
                // later, so a crash in a quiet spell replays little.
                if readSinceCheckpoint && clock.now - lastCheckpoint >= Self.quietCheckpointDelay {
                    try await checkpoint(engine.assignedPartitions)
                }
            case .event(.message(let message)):
                guard let input = input(message) else { continue }
                ingestTimes.insert(message)
                readSinceCheckpoint = true
                take(engine.receive(input, now: clock.now))
                if outgoing.count >= settings.outputBatch { try await send() }
            case .event(.partitionsAssigned(let partitions)):
                try await assign(partitions)
            case .event(.partitionsRevoked(let partitions, let lost)):
                try await revoke(partitions, lost: lost)
            }
            if clock.now - lastCheckpoint >= settings.checkpointInterval {
                try await readFeedback(&feedbackEvents)
                try await checkpoint(engine.assignedPartitions)
            }
        }
        try await checkpoint(engine.assignedPartitions, last: true)
    }

    /// Takes whatever commands, outcomes and verdicts have been fetched, without waiting.
    mutating func readFeedback(_ events: inout KafkaConsumerEvents.Iterator) async throws {
        for _ in 0..<1_024 {
            guard case .event(let event) = try await events.poll() else { return }
            guard case .message(let message) = event else { continue }
            do throws(EventDecodingError) {
                let bytes = message.value ?? []
                let item: StoryFeedback
                switch message.topic {
                case settings.catalog.remediationCommands:
                    item = .command(try decoder.decodeValue(RemediationCommand.self, from: bytes))
                case settings.catalog.remediationOutcomes:
                    item = .outcome(try decoder.decodeValue(RemediationOutcome.self, from: bytes))
                case settings.catalog.storyVerdicts:
                    item = .verdict(try decoder.decodeValue(StoryVerdict.self, from: bytes))
                case settings.catalog.correlatorForwarding:
                    take(engine.receive(try decoder.decodeValue(ForwardingObservation.self, from: bytes)))
                    continue
                default:
                    continue
                }
                take(engine.receive(item))
            } catch {
                // Commands and outcomes that do not decode are the action worker's to dead-letter
                // (it reads them first); a verdict or an observation that does not decode is ours.
                if [settings.catalog.storyVerdicts, settings.catalog.correlatorForwarding].contains(message.topic) {
                    outgoing.append(try records.deadLetter(message, reason: error, stage: "correlator.feedback"))
                }
                logger.warning(
                    "feedback record ignored: it does not decode",
                    metadata: [
                        "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                        "reason": "\(error)",
                    ])
            }
        }
    }

    func input(_ message: KafkaConsumerMessage) -> RawInput? {
        let feed: RawInput.Feed
        switch message.topic {
        case settings.catalog.rawAudit: feed = .audit
        case settings.catalog.rawMail: feed = .mail
        default: return nil
        }
        let id = message.lastHeaderText(named: "ce_id")
        return RawInput(
            feed: feed, key: message.keyString ?? "", value: message.value ?? [], cloudEventId: id,
            source: SourceReference(
                topic: message.topic, partition: message.partition, offset: message.offset, recordId: id ?? ""))
    }

    mutating func take(_ outputs: [CorrelatorOutput]) {
        for output in outputs {
            do {
                switch output {
                case .story(let event, let key):
                    outgoing += try records.story(event, key: key)
                    if event.kind == .opened { CorrelatorMetrics.opened(event.story) }
                    if let start = ingestTimes.newest(of: event.story.references) { latencyStarts.append(start) }
                case .deadLetter(let input, let error):
                    logger.warning(
                        "record dead-lettered",
                        metadata: [
                            "topic": "\(input.source.topic)", "partition": "\(input.source.partition)",
                            "offset": "\(input.source.offset)", "reason": "\(error)",
                        ])
                    outgoing.append(try records.deadLetter(input, error, at: Date()))
                case .forwarding(let observation):
                    outgoing.append(try records.forwarding(observation))
                case .suppressed(let finding):
                    logger.notice(
                        "finding suppressed by the detection tuning",
                        metadata: [
                            "tenantId": "\(finding.tenantId)", "user": "\(finding.user)",
                            "detection": "\(finding.detection.rawValue)", "title": "\(finding.title)",
                            "recordId": "\(finding.recordId)", "reason": "\(finding.reason)",
                        ])
                case .command(let request):
                    guard let signer = settings.commandSigner else { continue }
                    let command = try signer.sign(
                        request.command(issuedAt: Date(), lifetime: settings.commandLifetime, nonce: Self.nonce()))
                    outgoing.append(try records.command(command, key: request.key))
                    logger.notice(
                        "auto-response requested a remediation",
                        metadata: [
                            "commandId": "\(command.commandId)", "storyId": "\(request.storyId)",
                            "action": "\(request.action.rawValue)", "rule": "\(request.rule)",
                            "dryRun": "\(request.dryRun)",
                        ])
                }
            } catch {
                // Our own values always encode and sign; if one does not, it is a bug worth stopping for.
                logger.critical("could not encode correlator output: \(error)")
            }
        }
    }

    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
    }

    /// Sends what waits and waits for Kafka to acknowledge it.
    mutating func send() async throws {
        guard !outgoing.isEmpty else { return }
        let batch = outgoing
        let starts = latencyStarts
        outgoing.removeAll(keepingCapacity: true)
        latencyStarts.removeAll(keepingCapacity: true)
        try await producer.send(batch)
        CorrelatorMetrics.published(since: starts)
    }

    /// Story events first, then the snapshots that reflect them, then the offsets.
    mutating func checkpoint(_ partitions: [Int32], last: Bool = false) async throws {
        try await send()
        lastCheckpoint = clock.now
        readSinceCheckpoint = false
        consumer.recordLag()
        CorrelatorMetrics.state(trackedUsers: engine.trackedUsers, pendingEvents: engine.pendingEvents)
        var snapshots: [KafkaProducerRecord] = []
        var offsets: [KafkaOffset] = []
        for number in partitions {
            guard let checkpoint = engine.checkpoint(number) else { continue }
            for snapshot in try codec.snapshots(of: checkpoint, at: Date()) {
                snapshots.append(try records.snapshot(snapshot, partition: number))
            }
            offsets += resumeOffsets(checkpoint)
        }
        if !snapshots.isEmpty { try await producer.send(snapshots) }
        try await producer.commit(offsets, consumer: consumer, logger: logger, beginNext: !last)
        if !snapshots.isEmpty { report() }
    }

    func resumeOffsets(_ checkpoint: PartitionCheckpoint) -> [KafkaOffset] {
        checkpoint.progress.resume.compactMap { feed, offset in
            guard let topic = RawInput.Feed(rawValue: feed).flatMap({ codec.feedTopics[$0] }) else { return nil }
            return KafkaOffset(topic: topic, partition: checkpoint.partition, offset: offset)
        }
    }

    mutating func assign(_ partitions: [KafkaTopicPartition]) async throws {
        let numbers = Set(partitions.map(\.partition)).subtracting(engine.assignedPartitions).sorted()
        guard !numbers.isEmpty else { return }
        let restored = try await StateRestore.read(
            partitions: numbers, topic: settings.catalog.correlatorState, kafka: settings.kafka, codec: codec,
            logger: logger)
        var starts: [KafkaOffset] = []
        for number in numbers {
            let assignment = engine.assign(number, restoring: restored[number], now: clock.now)
            take(assignment.outputs)
            for (feed, offset) in assignment.resume {
                guard let topic = codec.feedTopics[feed], partitions.contains(.init(topic: topic, partition: number))
                else { continue }
                starts.append(KafkaOffset(topic: topic, partition: number, offset: offset))
            }
        }
        if !starts.isEmpty { consumer.setStartOffsets(starts) }
        readiness.restored(consumer)
        logger.info(
            "partitions assigned",
            metadata: [
                "partitions": "\(numbers)", "restoredUsers": "\(restored.values.reduce(0) { $0 + $1.users.count })",
                "starts": "\(starts)",
            ])
    }

    mutating func revoke(_ partitions: [KafkaTopicPartition], lost: Bool) async throws {
        let numbers = Set(partitions.map(\.partition)).intersection(engine.assignedPartitions).sorted()
        guard !numbers.isEmpty else { return }
        if lost {
            // Another member may own them already: writing their state now could overwrite newer
            // state. In a transaction, what this instance wrote since its last checkpoint is discarded.
            if producer.isTransactional {
                outgoing.removeAll()
                latencyStarts.removeAll()
                try await producer.abort(logger: logger)
            } else {
                try await send()
            }
            for number in numbers { _ = engine.revoke(number) }
            logger.warning("partitions lost", metadata: ["partitions": "\(numbers)"])
            return
        }
        try await checkpoint(numbers)
        for number in numbers { _ = engine.revoke(number) }
        logger.info("partitions revoked", metadata: ["partitions": "\(numbers)"])
    }

    mutating func report() {
        let counters = engine.counters
        guard counters != lastReported else { return }
        lastReported = counters
        logger.info(
            "correlator progress",
            metadata: [
                "received": "\(counters.received)", "applied": "\(counters.applied)",
                "generic": "\(counters.generic)", "duplicates": "\(counters.duplicates)", "late": "\(counters.late)",
                "deadLettered": "\(counters.deadLettered)", "storyEvents": "\(counters.storyEvents)",
                "feedbackRecorded": "\(counters.feedbackRecorded)", "findings": "\(counters.findings)",
                "suppressed": "\(counters.suppressed)", "forwardingObservations": "\(counters.forwardingObservations)",
                "commandsRequested": "\(counters.commandsRequested)",
                "trackedUsers": "\(engine.trackedUsers)", "pending": "\(engine.pendingEvents)",
            ])
    }
}

/// Reads the state topic's partitions into the checkpoints to restore.
enum StateRestore {
    static func read(
        partitions: [Int32], topic: String, kafka: KafkaConfiguration, codec: StateCodec, logger: Logger
    ) async throws -> [Int32: PartitionCheckpoint] {
        var snapshots: [Int32: [CorrelatorStateSnapshot]] = [:]
        let decoder = BoundedJSONDecoder()
        var undecodable = 0
        try await KafkaPartitionReader.read(
            partitions.map { KafkaTopicPartition(topic: topic, partition: $0) }, configuration: kafka, logger: logger
        ) { message in
            do {
                snapshots[message.partition, default: []].append(
                    try decoder.decodeValue(CorrelatorStateSnapshot.self, from: message.value ?? []))
            } catch {
                undecodable += 1
            }
        }
        if undecodable > 0 {
            logger.error("state snapshots that do not decode were ignored", metadata: ["count": "\(undecodable)"])
        }
        var restored: [Int32: PartitionCheckpoint] = [:]
        for number in partitions {
            if let checkpoint = try codec.restore(partition: number, from: snapshots[number] ?? []) {
                restored[number] = checkpoint
            }
        }
        return restored
    }
}
