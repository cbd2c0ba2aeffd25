import Events
import Foundation
import Logging
import M365

/// Collects the phishing-report mailbox: a delta query on its inbox; each report message's
/// attachments are read (attached items expanded) and the attached original gives a
/// `userReport` event keyed by the reporter. A report without a usable original goes to the
/// dead-letter topic with the reason: nothing is dropped silently.
struct ReportMailboxCollector: Sendable {
    let client: GraphClient
    /// Lower-cased user principal name of the report mailbox.
    let mailbox: String
    let output: MailOutput
    let backfillFrom: Date?
    let progress: CollectionProgressSink

    static func source(_ mailbox: String) -> String { "mail/userReports/\(mailbox.keyNormalized)" }

    /// What the collector keeps between cycles.
    struct State: Sendable {
        var delta: MessageDeltaState
        var dedupe: RecordDeduplicator
    }

    private var clock: M365Clock { output.clock }
    private var tenantId: String { output.tenantId }
    private var source: String { Self.source(mailbox) }

    func runCycle(_ state: inout State) async throws(CollectorError) {
        var progress = CollectionProgress(source: source, startedAt: clock.now())
        progress.windowsTotal = 1
        state.dedupe.evict(now: clock.now())
        var dedupe = state.dedupe
        let walker = MessageDeltaWalker(client: client, mailbox: mailbox, clock: clock, logger: output.logger)
        do throws(MessageDeltaWalker.Failure) {
            try await walker.walk(&state.delta, backfillFrom: backfillFrom) { items, _ throws(CollectorError) in
                var changes: [MailChange] = []
                for item in items where item["@removed"] == nil {
                    if let change = try await report(item, dedupe: &dedupe, progress: &progress) {
                        changes.append(change)
                    }
                }
                let outcome = try await output.publish(changes, source: source, dedupe: &dedupe)
                progress.recordsPublished += outcome.published
                progress.duplicatesSkipped += outcome.skipped
            }
        } catch {
            state.dedupe = dedupe
            switch error {
            case .graph(let error):
                throw GraphFailure.collectorError(
                    "reading the report mailbox \(mailbox)", error, permission: MessageDeltaWalker.permission)
            case .handling(let error):
                throw error
            }
        }
        state.dedupe = dedupe
        let now = clock.now()
        if state.delta.needsCheckpoint(published: progress.recordsPublished + progress.deadLettered, now: now) {
            try await output.writeCheckpoint(state.delta.checkpoint(now: now))
            state.delta.checkpointWritten(at: now)
        }
        progress.windowsDone = 1
        progress.now = clock.now()
        self.progress(progress)
    }

    /// The report event of one report message; nil when it was dead-lettered or is gone.
    private func report(_ message: JSONValue, dedupe: inout RecordDeduplicator, progress: inout CollectionProgress)
        async throws(CollectorError) -> MailChange?
    {
        guard let id = message["id"]?.stringValue, !id.isEmpty else { return nil }
        var attachments: [JSONValue] = []
        if message["hasAttachments"] != .bool(false) {
            do {
                attachments = try await client.messageAttachments(mailbox: mailbox, messageId: id).map(\.raw)
            } catch let error where error.code == .notFound {
                // Deleted between the delta page and this read: there is nothing left to report.
                output.logger.notice("report message gone before its attachments were read", metadata: ["id": "\(id)"])
                return nil
            } catch {
                throw GraphFailure.collectorError(
                    "reading the attachments of report \(id)", error, permission: MessageDeltaWalker.permission)
            }
        }
        let parsed: ParsedUserReport
        do throws(UserReportParser.Problem) {
            parsed = try UserReportParser.parse(message: message, attachments: attachments)
        } catch {
            try await deadLetter(message, id: id, problem: error, dedupe: &dedupe)
            progress.deadLettered += 1
            return nil
        }
        return MailChange(
            envelope: RawMailEnvelope(
                tenantId: tenantId, resourceKind: .userReport, changeKind: .created, resourceId: id, mailbox: mailbox,
                collectedAt: clock.now(), resource: parsed.resource),
            key: RecordKey(tenantID: tenantId, user: parsed.reporter), eventTime: parsed.reportedAt)
    }

    /// Once per report message and dedupe horizon, however often the message shows up again.
    private func deadLetter(
        _ message: JSONValue, id: String, problem: UserReportParser.Problem, dedupe: inout RecordDeduplicator
    ) async throws(CollectorError) {
        let marker = "dead-letter:" + EventID.raw(id)
        guard !dedupe.contains(marker) else { return }
        output.logger.warning(
            "report without a usable original sent to the dead-letter topic",
            metadata: ["id": "\(id)", "reason": "\(problem.reason)"])
        try await output.deadLetter(
            reason: problem.reason, errorClass: problem.errorClass, source: source,
            sourceURI: client.url("users/\(mailbox)/messages/\(id)"),
            original: Array(MessageResource.published(message).canonicalText.utf8))
        dedupe.insert(marker, at: clock.now())
    }
}
