public import Events
import Foundation
public import Kafka

/// Writes outcomes to `inboxwatch.remediation.outcomes` (keyed by command id) and refused
/// commands to the dead-letter topic, and returns only once Kafka has them: an intent must be
/// durable before the call it announces.
public struct OutcomeWriter: Sendable {
    let producer: KafkaProducer
    let catalog: TopicCatalog
    let encoder = EventEncoder()
    static let source = "/inboxwatch/action-worker"

    public init(producer: KafkaProducer, catalog: TopicCatalog) {
        self.producer = producer
        self.catalog = catalog
    }

    public func write(_ outcomes: [RemediationOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        _ = try await producer.send(contentsOf: try outcomes.map(record))
        ActionWorkerMetrics.written(outcomes)
    }

    /// The outcome's record; its `ce_id` names the command and the status, so a record written
    /// twice (a retried produce) is recognisable.
    public func record(_ outcome: RemediationOutcome) throws -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: catalog.remediationOutcomes, key: TopicKeys.outcome(commandID: outcome.commandId),
            value: try encoder.encode(outcome),
            headers: CloudEventHeaders(
                id: EventID.derived("outcome", from: [outcome.commandId, outcome.status.rawValue]),
                source: Self.source, type: "com.inboxwatch.remediation.outcome.\(outcome.status.rawValue)",
                time: outcome.completedAt
            ).kafkaHeaders)
    }

    /// A command record that is not run, with the reason, where it was read, and its bytes.
    public func deadLetter(
        _ message: KafkaConsumerMessage, reason: String, code: String, tenantId: String?
    ) async throws {
        let now = Date()
        let letter = DeadLetterRecord(
            reason: reason, errorClass: code, stage: "action-worker", tenantId: tenantId, sourceTopic: message.topic,
            sourcePartition: message.partition, sourceOffset: message.offset, originalKey: message.key,
            originalValue: message.value, failedAt: now)
        DeadLetterMetrics.count(stage: letter.stage, errorClass: letter.errorClass)
        _ = try await producer.send(
            KafkaProducerRecord(
                topic: catalog.deadLetter, key: message.key, value: try encoder.encode(letter),
                headers: CloudEventHeaders(
                    id: EventID.derived(
                        "deadletter", from: [message.topic, "\(message.partition)", "\(message.offset)"]),
                    source: Self.source, type: "com.inboxwatch.deadletter", time: now
                ).kafkaHeaders))
    }
}
