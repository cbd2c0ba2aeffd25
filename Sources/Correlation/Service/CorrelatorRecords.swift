import Events
import Foundation
import Kafka

/// What the correlator writes, as Kafka records: story events and their OCSF findings, dead
/// letters, and state snapshots — each with CloudEvents headers and a `ce_id` derived from what
/// it says, so a replay writes the same ids and consumers drop the repeats.
struct CorrelatorRecords: Sendable {
    let catalog: TopicCatalog
    let encoder = EventEncoder()
    static let source = "/inboxwatch/correlator"

    func story(_ event: StoryEvent, key: String) throws(EventDecodingError) -> [KafkaProducerRecord] {
        let id = EventID.derived("story-event", from: [event.storyId, String(event.sequence)])
        let story = KafkaProducerRecord(
            topic: catalog.stories, key: key, value: try encoder.encode(event),
            headers: CloudEventHeaders(
                id: id, source: Self.source, type: "com.inboxwatch.story.\(event.kind.rawValue)", time: event.occurredAt
            ).kafkaHeaders)
        let finding = KafkaProducerRecord(
            topic: catalog.findingsOCSF, key: key, value: try encoder.encode(OCSFDetectionFinding(event)),
            headers: CloudEventHeaders(
                id: EventID.derived("finding", from: [event.storyId, String(event.sequence)]), source: Self.source,
                type: "com.inboxwatch.finding.ocsf", time: event.occurredAt
            ).kafkaHeaders)
        return [story, finding]
    }

    func deadLetter(_ input: RawInput, _ error: NormalizationError, at time: Date) throws(EventDecodingError)
        -> KafkaProducerRecord
    {
        let letter = input.deadLetter(error, stage: "correlator.normalize", at: time)
        DeadLetterMetrics.count(stage: letter.stage, errorClass: letter.errorClass)
        return KafkaProducerRecord(
            topic: catalog.deadLetter, key: input.key, value: try encoder.encode(letter),
            headers: CloudEventHeaders(
                id: EventID.derived(
                    "deadletter", from: [input.source.topic, "\(input.source.partition)", "\(input.source.offset)"]),
                source: Self.source, type: "com.inboxwatch.deadletter", time: time
            ).kafkaHeaders)
    }

    /// A command the auto-response policy requested, signed, keyed by the story's user; its
    /// `ce_id` is the command id, which the action worker runs once.
    func command(_ command: RemediationCommand, key: String) throws(EventDecodingError) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: catalog.remediationCommands, key: key, value: try encoder.encode(command),
            headers: CloudEventHeaders(
                id: command.commandId, source: Self.source, type: "com.inboxwatch.remediation.command",
                time: command.issuedAt
            ).kafkaHeaders)
    }

    /// A mailbox seen forwarding outside, for every instance's fan-in table; keyed so compaction
    /// keeps one per mailbox and address, with the `ce_id` of the record that set it.
    func forwarding(_ observation: ForwardingObservation) throws(EventDecodingError) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: catalog.correlatorForwarding, key: observation.key, value: try encoder.encode(observation),
            headers: CloudEventHeaders(
                id: EventID.derived("forwarding", from: [observation.key, observation.source.recordId]),
                source: Self.source, type: "com.inboxwatch.correlator.forwarding", time: observation.observedAt
            ).kafkaHeaders)
    }

    /// A record read from a side topic that cannot be used.
    func deadLetter(_ message: KafkaConsumerMessage, reason: EventDecodingError, stage: String)
        throws(EventDecodingError)
        -> KafkaProducerRecord
    {
        let time = Date()
        let letter = DeadLetterRecord(
            reason: reason.description, errorClass: reason.code.description, stage: stage,
            tenantId: nil, sourceTopic: message.topic, sourcePartition: message.partition,
            sourceOffset: message.offset, originalKey: message.key, originalValue: message.value, failedAt: time)
        DeadLetterMetrics.count(stage: letter.stage, errorClass: letter.errorClass)
        return KafkaProducerRecord(
            topic: catalog.deadLetter, key: message.key, value: try encoder.encode(letter),
            headers: CloudEventHeaders(
                id: EventID.derived("deadletter", from: [message.topic, "\(message.partition)", "\(message.offset)"]),
                source: Self.source, type: "com.inboxwatch.deadletter", time: time
            ).kafkaHeaders)
    }

    /// Snapshots go to the state partition with the input's number, so a restore reads one partition.
    func snapshot(_ snapshot: CorrelatorStateSnapshot, partition: Int32) throws(EventDecodingError)
        -> KafkaProducerRecord
    {
        KafkaProducerRecord(
            topic: catalog.correlatorState, partition: partition, key: Array(snapshot.key.utf8),
            value: snapshot.encodedJSON(),
            headers: CloudEventHeaders(
                id: EventID.derived("state", from: [snapshot.key, "\(snapshot.updatedAt.timeIntervalSince1970)"]),
                source: Self.source, type: "com.inboxwatch.correlator.state", time: snapshot.updatedAt
            ).kafkaHeaders)
    }
}
