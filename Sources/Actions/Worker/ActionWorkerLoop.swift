import Events
import Foundation
import Kafka
import Logging

/// The running worker: one task group holds the consumer's poll, the running jobs and a timer
/// for the next waiting job, and this loop reacts to whichever ends first.
struct ActionWorkerLoop: ~Copyable {
    let settings: ActionWorkerSettings
    let consumer: KafkaConsumer
    let writer: OutcomeWriter
    let executor: ActionExecutor
    let logger: Logger
    var state: ActionWorkerState
    let decoder = BoundedJSONDecoder()
    let clock = ContinuousClock()
    var lastCommit: ContinuousClock.Instant
    var readiness: WorkerReadiness

    init(
        settings: ActionWorkerSettings, consumer: KafkaConsumer, writer: OutcomeWriter, executor: ActionExecutor,
        logger: Logger
    ) {
        self.settings = settings
        self.consumer = consumer
        self.writer = writer
        self.executor = executor
        self.logger = logger
        self.state = ActionWorkerState(
            policy: settings.policy, verifier: settings.verifier, limits: settings.limits)
        self.lastCommit = clock.now
        self.readiness = WorkerReadiness(settings.onReadiness)
    }

    enum Event: Sendable {
        case polled(KafkaConsumerEvents.Iterator.Polled, KafkaConsumerEvents.Iterator)
        case finished(JobResult)
        case wake
    }

    mutating func run() async throws {
        let executor = self.executor
        readiness.waiting("joining the action-worker group and restoring the outcomes")
        try await withThrowingTaskGroup(of: Event.self) { group in
            func poll(_ iterator: KafkaConsumerEvents.Iterator) {
                group.addTask {
                    var iterator = iterator
                    return .polled(try await iterator.poll(), iterator)
                }
            }
            poll(consumer.events(pollTimeoutMilliseconds: 200).makeAsyncIterator())
            var polling = true
            var timer: Date?
            var paused = false
            /// Partitions being revoked: nothing is read until their running jobs end.
            var revoking: (partitions: [KafkaTopicPartition], iterator: KafkaConsumerEvents.Iterator)?
            while let event = try await group.next() {
                switch event {
                case .polled(let polled, let iterator):
                    polling = false
                    switch polled {
                    case .finished:
                        break
                    case .idle:
                        await readiness.check(consumer)
                        consumer.recordLag()
                        poll(iterator)
                        polling = true
                    case .event(.message(let message)):
                        try await receive(message)
                        poll(iterator)
                        polling = true
                    case .event(.partitionsAssigned(let partitions)):
                        try await restore(partitions)
                        poll(iterator)
                        polling = true
                    case .event(.partitionsRevoked(let partitions, _)):
                        state.release(partitions: Set(partitions.map(\.partition)))
                        revoking = (partitions, iterator)
                    }
                case .finished(let result):
                    state.finish(result, now: Date())
                case .wake:
                    timer = nil
                }
                if let pending = revoking, !state.isRunning(inPartitions: Set(pending.partitions.map(\.partition))) {
                    try await revoke(pending.partitions)
                    revoking = nil
                    poll(pending.iterator)
                    polling = true
                }
                let stopping = Task.isCancelled || (!polling && revoking == nil)
                if !stopping {
                    for job in state.due(now: Date()) {
                        group.addTask { .finished(try await executor.run(job)) }
                    }
                    if let due = state.nextDue(), timer.map({ due < $0 }) ?? true {
                        timer = due
                        group.addTask {
                            try? await Task.sleep(for: .milliseconds(max(1, Int64(due.timeIntervalSinceNow * 1000))))
                            return .wake
                        }
                    }
                    // A full table of jobs stops reading commands, not the group membership.
                    if state.isFull != paused {
                        paused = state.isFull
                        if paused {
                            try consumer.pause(consumer.assignment)
                        } else {
                            try consumer.resume(consumer.assignment)
                        }
                    }
                }
                if clock.now - lastCommit >= settings.commitInterval || stopping { try await commit() }
                if stopping && state.runningJobs == 0 {
                    group.cancelAll()
                    break
                }
            }
        }
        try await commit()
    }

    /// Decides one command record and writes what the decision says before reading on.
    mutating func receive(_ message: KafkaConsumerMessage) async throws {
        let source = ActionJob.Source(partition: message.partition, offset: message.offset)
        let command: RemediationCommand
        do {
            command = try decoder.decodeValue(RemediationCommand.self, from: message.value ?? [])
        } catch {
            let note = state.receiveUnreadable(reason: error.description, source: source)
            logger.warning(
                "command dead-lettered", metadata: ["offset": "\(message.offset)", "reason": "\(note.reason)"])
            try await writer.deadLetter(message, reason: note.reason, code: note.code, tenantId: nil)
            return
        }
        let steps = state.receive(
            command, source: source, now: Date(), killSwitch: settings.policy.isKillSwitchEngaged())
        for step in steps {
            switch step {
            case .publish(let outcomes, let deadLetter):
                try await writer.write(outcomes)
                if let deadLetter {
                    logger.warning(
                        "command refused",
                        metadata: [
                            "commandId": "\(command.commandId)", "tenantId": "\(command.tenantId)",
                            "code": "\(deadLetter.code)", "reason": "\(deadLetter.reason)",
                        ])
                    try await writer.deadLetter(
                        message, reason: deadLetter.reason, code: deadLetter.code, tenantId: command.tenantId)
                }
                for outcome in outcomes where outcome.status == .held {
                    logger.notice(
                        "command held for approval",
                        metadata: ["commandId": "\(outcome.commandId)", "reason": "\(outcome.detail)"])
                }
            }
        }
    }

    /// Reads the outcomes topic whole, so decisions see what every earlier worker did.
    mutating func restore(_ partitions: [KafkaTopicPartition]) async throws {
        var memory = OutcomeMemory()
        var undecodable = 0
        let decoder = self.decoder
        try await KafkaTopicReader.read(
            settings.catalog.remediationOutcomes, configuration: settings.kafka, logger: logger
        ) {
            message in
            do {
                memory.apply(try decoder.decodeValue(RemediationOutcome.self, from: message.value ?? []))
            } catch {
                undecodable += 1
            }
        }
        state.restore(memory)
        ActionWorkerMetrics.memory(outcomes: memory.count)
        readiness.restored(consumer)
        if undecodable > 0 {
            logger.error("outcome records that do not decode were ignored", metadata: ["count": "\(undecodable)"])
        }
        logger.info(
            "partitions assigned; outcomes restored",
            metadata: ["partitions": "\(partitions.map(\.partition))", "outcomes": "\(memory.count)"])
    }

    mutating func revoke(_ partitions: [KafkaTopicPartition]) async throws {
        try await commit()
        state.revoke(partitions: Set(partitions.map(\.partition)))
        logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.partition))"])
    }

    mutating func commit() async throws {
        lastCommit = clock.now
        ActionWorkerMetrics.memory(outcomes: state.memory.count)
        consumer.recordLag()
        let offsets = state.committable().map {
            KafkaOffset(topic: settings.catalog.remediationCommands, partition: $0.partition, offset: $0.offset)
        }
        guard !offsets.isEmpty else { return }
        do {
            try await consumer.commit(offsets)
        } catch {
            // A commit that fails only means the commands are read again, and answered from the record.
            logger.warning("could not commit command offsets", metadata: ["error": "\(error)"])
        }
    }
}
