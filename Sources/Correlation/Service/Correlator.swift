import Events
import Foundation
import Kafka
public import Logging

/// A correlator instance: a member of the correlator group reading both raw topics, running
/// the ``CorrelatorEngine`` over the partitions it is given, and writing story events, OCSF
/// findings, dead letters and state snapshots.
///
/// The delivery rules, in order: story events are acknowledged before the snapshots that
/// reflect them are written, and snapshots before the offsets are committed. So a crash at any
/// point replays from the last checkpoint, the restored state skips what it already holds, and
/// the replay writes the same story events with the same ids (consumers drop repeats by `ce_id`).
/// On assignment an instance restores its partitions from the state topic before it reads
/// them; on revoke it checkpoints them first. The range assignor keeps partition N of both raw
/// topics (and of the state topic) on one instance.
public struct Correlator: Sendable {
    public var settings: CorrelatorSettings
    let logger: Logger

    public init(settings: CorrelatorSettings, logger: Logger = Logger(label: "inboxwatch.correlator")) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until the task is cancelled, then checkpoints every partition and leaves the group.
    public func run() async throws {
        var consumerConfiguration = settings.kafka
        consumerConfiguration["partition.assignment.strategy"] = "range"
        let catalog = settings.catalog
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration, groupID: settings.groupID,
            topics: [catalog.rawAudit, catalog.rawMail],
            maxBatch: 1_024, logger: logger)
        let producer = try KafkaProducer(configuration: settings.kafka, logger: logger)
        var loop = CorrelatorLoop(settings: settings, consumer: consumer, producer: producer, logger: logger)
        do {
            try await loop.run()
        } catch {
            await consumer.close()
            await producer.close()
            throw error
        }
        await consumer.close()
        try await producer.flush()
        await producer.close()
    }
}

/// The state of one running instance: the engine, what waits to be sent, when it last checkpointed.
struct CorrelatorLoop: ~Copyable {
    let settings: CorrelatorSettings
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let logger: Logger
    let records: CorrelatorRecords
    let codec: StateCodec
    let clock = ContinuousClock()
    var engine: CorrelatorEngine
    var outgoing: [KafkaProducerRecord] = []
    var lastCheckpoint: ContinuousClock.Instant
    var lastReported = CorrelatorCounters()

    init(settings: CorrelatorSettings, consumer: KafkaConsumer, producer: KafkaProducer, logger: Logger) {
        self.settings = settings
        self.consumer = consumer
        self.producer = producer
        self.logger = logger
        self.records = CorrelatorRecords(catalog: settings.catalog)
        self.codec = StateCodec(feedTopics: [.audit: settings.catalog.rawAudit, .mail: settings.catalog.rawMail])
        self.engine = CorrelatorEngine(configuration: settings.engine)
        self.lastCheckpoint = clock.now
    }

    mutating func run() async throws {
        var events = consumer.events.makeAsyncIterator()
        loop: while true {
            switch try await events.poll() {
            case .finished:
                break loop
            case .idle:
                take(engine.tick(now: clock.now))
                try await send()
            case .event(.message(let message)):
                guard let input = input(message) else { continue }
                take(engine.receive(input, now: clock.now))
                if outgoing.count >= settings.outputBatch { try await send() }
            case .event(.partitionsAssigned(let partitions)):
                try await assign(partitions)
            case .event(.partitionsRevoked(let partitions, let lost)):
                try await revoke(partitions, lost: lost)
            }
            if clock.now - lastCheckpoint >= settings.checkpointInterval {
                try await checkpoint(engine.assignedPartitions)
            }
        }
        try await checkpoint(engine.assignedPartitions)
    }

    func input(_ message: KafkaConsumerMessage) -> RawInput? {
        let feed: RawInput.Feed
        switch message.topic {
        case settings.catalog.rawAudit: feed = .audit
        case settings.catalog.rawMail: feed = .mail
        default: return nil
        }
        let id = message.headers.last(named: "ce_id")?.stringValue
        return RawInput(
            feed: feed, key: message.keyString ?? "", value: message.value ?? [], cloudEventId: id,
            source: SourceReference(
                topic: message.topic, partition: message.partition, offset: message.offset, recordId: id ?? ""))
    }

    mutating func take(_ outputs: [CorrelatorOutput]) {
        for output in outputs {
            do throws(EventDecodingError) {
                switch output {
                case .story(let event, let key):
                    outgoing += try records.story(event, key: key)
                case .deadLetter(let input, let error):
                    logger.warning(
                        "record dead-lettered",
                        metadata: [
                            "topic": "\(input.source.topic)", "partition": "\(input.source.partition)",
                            "offset": "\(input.source.offset)", "reason": "\(error)",
                        ])
                    outgoing.append(try records.deadLetter(input, error, at: Date()))
                }
            } catch {
                // Our own values always encode; if one does not, it is a bug worth stopping for.
                logger.critical("could not encode correlator output: \(error)")
            }
        }
    }

    /// Sends what waits and waits for Kafka to acknowledge it.
    mutating func send() async throws {
        guard !outgoing.isEmpty else { return }
        let batch = outgoing
        outgoing.removeAll(keepingCapacity: true)
        _ = try await producer.send(contentsOf: batch)
    }

    /// Story events first, then the snapshots that reflect them, then the offsets.
    mutating func checkpoint(_ partitions: [Int32]) async throws {
        try await send()
        lastCheckpoint = clock.now
        var snapshots: [KafkaProducerRecord] = []
        var offsets: [KafkaOffset] = []
        for number in partitions {
            guard let checkpoint = engine.checkpoint(number) else { continue }
            for snapshot in try codec.snapshots(of: checkpoint, at: Date()) {
                snapshots.append(try records.snapshot(snapshot, partition: number))
            }
            offsets += resumeOffsets(checkpoint)
        }
        guard !snapshots.isEmpty else { return }
        _ = try await producer.send(contentsOf: snapshots)
        if !offsets.isEmpty {
            do {
                try await consumer.commit(offsets)
            } catch {
                // The state topic holds the truth; committed offsets only help a restore without it.
                logger.debug("offset commit failed: \(error)")
            }
        }
        report()
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
            let offsets = engine.assign(number, restoring: restored[number], now: clock.now)
            for (feed, offset) in offsets {
                guard let topic = codec.feedTopics[feed], partitions.contains(.init(topic: topic, partition: number))
                else { continue }
                starts.append(KafkaOffset(topic: topic, partition: number, offset: offset))
            }
        }
        if !starts.isEmpty { consumer.setStartOffsets(starts) }
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
            // Another member may own them already: writing their state now could overwrite newer state.
            try await send()
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
