public import Events
public import Foundation
public import Kafka

/// Publishes collected records and waits until Kafka acknowledged every one of them:
/// the only thing a checkpoint may rest on. Also writes dead letters and checkpoints,
/// so one idempotent producer orders all of a collector's output.
public struct RecordPublisher: Sendable {
    public let producer: KafkaProducer
    public let catalog: TopicCatalog
    private let encoder = EventEncoder()

    public init(producer: KafkaProducer, catalog: TopicCatalog) {
        self.producer = producer
        self.catalog = catalog
    }

    /// Sends `records` and returns when all are acknowledged; any failure fails the whole
    /// batch, so the caller never checkpoints past a record Kafka did not take.
    @discardableResult
    public func publish(_ records: [KafkaProducerRecord]) async throws(CollectorError) -> [KafkaDeliveryReport] {
        guard !records.isEmpty else { return [] }
        do {
            return try await producer.send(contentsOf: records)
        } catch {
            throw CollectorError(
                code: .publishFailed, message: "Kafka did not acknowledge \(records.count) records: \(error)",
                isRetriable: error.isRetriable)
        }
    }

    /// A raw audit record, keyed per DESIGN.md, with `ce_id` = the record's `Id`.
    public func auditRecord(
        _ parsed: AuditRecordParser.ParsedRecord, contentType: String, contentId: String, source: String,
        collectedAt: Date
    ) throws(CollectorError) -> KafkaProducerRecord {
        let envelope = RawAuditEnvelope(
            tenantId: parsed.key.tenantID, contentType: contentType, contentId: contentId,
            recordId: parsed.recordId, collectedAt: collectedAt, record: parsed.record)
        let headers = CloudEventHeaders(
            id: EventID.raw(parsed.recordId), source: source, type: "com.inboxwatch.raw.audit",
            time: parsed.creationTime)
        return KafkaProducerRecord(
            topic: catalog.rawAudit, key: parsed.key.description, value: try encode(envelope),
            headers: headers.kafkaHeaders)
    }

    /// A raw Graph resource; its `ce_id` names the change (resource, change kind, content).
    public func mailRecord(
        _ envelope: RawMailEnvelope, key: RecordKey, source: String, eventTime: Date
    ) throws(CollectorError) -> KafkaProducerRecord {
        let headers = CloudEventHeaders(
            id: EventID.resourceChange(
                resourceID: envelope.resourceId, changeKind: envelope.changeKind.rawValue,
                resource: envelope.resource),
            source: source, type: "com.inboxwatch.raw.mail.\(envelope.resourceKind.rawValue)", time: eventTime)
        return KafkaProducerRecord(
            topic: catalog.rawMail, key: key.description, value: try encode(envelope),
            headers: headers.kafkaHeaders)
    }

    /// A dead letter, keyed by what it is about (the tenant, or the source).
    public func deadLetter(_ letter: DeadLetterRecord, key: String) throws(CollectorError) -> KafkaProducerRecord {
        DeadLetterMetrics.count(stage: letter.stage, errorClass: letter.errorClass)
        let headers = CloudEventHeaders(
            id: EventID.derived(
                "dead-letter", from: [letter.stage, letter.sourceURI ?? "", letter.originalValue ?? "", letter.reason]),
            source: "/inboxwatch/\(letter.stage.replacingOccurrences(of: ".", with: "/"))",
            type: "com.inboxwatch.deadletter", time: letter.failedAt)
        return KafkaProducerRecord(
            topic: catalog.deadLetter, key: key, value: try encode(letter), headers: headers.kafkaHeaders)
    }

    /// A checkpoint, keyed `tenant/source` on the compacted checkpoint topic.
    public func checkpoint(_ checkpoint: CollectorCheckpoint) throws(CollectorError) -> KafkaProducerRecord {
        let key = TopicKeys.checkpoint(tenantID: checkpoint.tenantId, source: checkpoint.source)
        let headers = CloudEventHeaders(
            id: EventID.derived(
                "checkpoint", from: [key, String(checkpoint.updatedAt.millisecondsSince1970)]),
            source: "/inboxwatch/collector/\(checkpoint.tenantId)", type: "com.inboxwatch.collector.checkpoint",
            time: checkpoint.updatedAt)
        return KafkaProducerRecord(
            topic: catalog.collectorCheckpoints, key: key, value: try encode(checkpoint),
            headers: headers.kafkaHeaders)
    }

    private func encode<T: TopicValue>(_ value: T) throws(CollectorError) -> [UInt8] {
        do {
            return try encoder.encode(value)
        } catch {
            throw CollectorError(
                code: .publishFailed, message: "cannot encode \(T.schemaName): \(error.message)", isRetriable: false)
        }
    }
}
