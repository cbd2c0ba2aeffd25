import Events
import Foundation
import Kafka
import Logging
import M365

/// Where every mail source writes: raw changes (each `ce_id` once within the dedupe horizon),
/// checkpoints and dead letters, all through the one ``RecordPublisher`` and only after Kafka
/// acknowledged what they cover.
struct MailOutput: Sendable {
    let publisher: RecordPublisher
    let tenantId: String
    let clock: M365Clock
    let logger: Logger

    /// `ce_source` of everything the mail collector of `tenantId` publishes starts with this.
    static func sourcePrefix(tenantId: String) -> String { "/inboxwatch/collector/mail/\(tenantId.keyNormalized)/" }

    /// `ce_source` of a checkpoint source: `mail/messages/alice@contoso.com` →
    /// `/inboxwatch/collector/mail/<tenant>/messages/alice@contoso.com`. Read-back finds a
    /// source's ids again by it.
    static func sourceURI(tenantId: String, source: String) -> String {
        // Sources already hold lower-cased mailboxes; the source kind keeps its Graph spelling.
        var suffix = Substring(source)
        if suffix.hasPrefix("mail/") { suffix = suffix.dropFirst(5) }
        return sourcePrefix(tenantId: tenantId) + suffix
    }

    func sourceURI(_ source: String) -> String { Self.sourceURI(tenantId: tenantId, source: source) }

    /// What one publish did.
    struct Outcome: Sendable, Hashable {
        var published = 0
        var skipped = 0
    }

    /// Publishes the changes whose ids were not published yet, waits until Kafka acknowledged
    /// all of them, and only then remembers their ids: a failed publish is retried in full.
    @discardableResult
    func publish(_ changes: [MailChange], source: String, dedupe: inout RecordDeduplicator)
        async throws(CollectorError) -> Outcome
    {
        var outcome = Outcome()
        guard !changes.isEmpty else { return outcome }
        let uri = sourceURI(source)
        var records: [KafkaProducerRecord] = []
        var ids: [String] = []
        var inBatch = Set<String>()
        for change in changes {
            let id = change.id
            guard !dedupe.contains(id), inBatch.insert(id).inserted else {
                outcome.skipped += 1
                continue
            }
            let record = try publisher.mailRecord(
                change.envelope, key: change.key, source: uri, eventTime: change.eventTime)
            if change.envelope.resourceKind == .domainList {
                // Reference data about no user: the correlator instance of every partition needs it
                // in its own input, so it is broadcast, one copy per partition, same ce_id.
                for partition in 0..<publisher.catalog.keyedPartitions {
                    var copy = record
                    copy.partition = partition
                    records.append(copy)
                }
            } else {
                records.append(record)
            }
            ids.append(id)
        }
        try await publisher.publish(records)
        let now = clock.now()
        for id in ids { dedupe.insert(id, at: now) }
        outcome.published = ids.count
        return outcome
    }

    func writeCheckpoint(_ checkpoint: CollectorCheckpoint) async throws(CollectorError) {
        let record = try publisher.checkpoint(checkpoint)
        do {
            try await publisher.publish([record])
        } catch {
            throw CollectorError(
                code: .checkpointFailed, message: "checkpoint for \(checkpoint.source) not written: \(error.message)",
                isRetriable: true)
        }
    }

    /// Sends what could not be turned into an event to the dead-letter topic, with why.
    func deadLetter(
        reason: String, errorClass: String, source: String, sourceURI: String, original: [UInt8]?
    ) async throws(CollectorError) {
        let letter = DeadLetterRecord(
            reason: reason, errorClass: errorClass, stage: "collector.mail", tenantId: tenantId,
            sourceURI: sourceURI, originalKey: nil, originalValue: original, failedAt: clock.now())
        try await publisher.publish([
            try publisher.deadLetter(letter, key: TopicKeys.checkpoint(tenantID: tenantId, source: source))
        ])
    }
}
