import Events
import Foundation
import Kafka
import Logging
import M365

/// Collects one content type of one tenant: lists content windows, fetches new blobs a few at
/// a time, publishes their records (each id once), and checkpoints after Kafka acknowledged them.
///
/// The decisions live in ``AuditSourceState`` (a pure value); this type does the I/O. Blobs are
/// fetched concurrently but published one at a time, in the order they arrive: the dedupe check,
/// the send and the wait for acknowledgements of one blob happen before the next blob's check, so
/// two copies of a record in two blobs fetched together are still published once.
struct AuditSourceCollector: Sendable {
    let client: ManagementActivityClient
    let contentType: AuditContentType
    let publisher: RecordPublisher
    let parser: AuditRecordParser
    /// Re-keys records whose actor is an object id to the user's UPN; nil keeps them as they are.
    let directory: UserDirectory?
    let clock: M365Clock
    let logger: Logger
    let health: CollectorHealthSink
    let progress: CollectionProgressSink

    var tenantId: String { client.tenantId }
    var sourceURI: String { "/inboxwatch/collector/audit/\(tenantId.keyNormalized)/\(contentType.rawValue)" }

    /// What one cycle did.
    struct CycleResult: Sendable {
        var progress: CollectionProgress
    }

    /// Runs one cycle: retry gaps, list every planned window, publish what is new.
    func runCycle(state: inout AuditSourceState, dedupe: inout RecordDeduplicator) async throws(CollectorError)
        -> CollectionProgress
    {
        let now = effectiveNow()
        var progress = CollectionProgress(source: state.source, startedAt: clock.now())
        dedupe.evict(now: clock.now())
        let plan = state.planCycle(now: now)
        progress.windowsTotal = plan.windows.count
        if let lost = plan.lost {
            try await reportLoss(lost, state: state)
        }
        try await retryGaps(state: &state, dedupe: &dedupe, progress: &progress, now: now)
        for window in plan.windows {
            let blobs: [ContentBlobReference]
            do {
                blobs = try await client.listContent(
                    contentType: contentType, window: AuditWindow(start: window.start, end: window.end))
            } catch {
                throw sourceError("listing \(contentType) \(window)", error)
            }
            let wanted = blobs.filter { state.needsFetch(contentId: $0.contentId) }
                .sorted { ($0.contentCreated ?? .distantPast) < ($1.contentCreated ?? .distantPast) }
            try await fetchAndPublish(wanted, state: &state, dedupe: &dedupe, progress: &progress)
            state.windowCompleted(window)
            try await writeCheckpoint(state)
            progress.windowsDone += 1
            progress.gapsOpen = state.openGaps.count
            progress.now = clock.now()
            self.progress(progress)
        }
        return progress
    }

    /// The time windows may reach: our clock, moved back if the server's `Date` says it is behind,
    /// so a window never ends in Microsoft's future.
    func effectiveNow() -> Date {
        let skew = client.lastServerTimeSkew ?? 0
        return clock.now().addingTimeInterval(min(0, skew))
    }

    // MARK: Blobs

    private func retryGaps(
        state: inout AuditSourceState, dedupe: inout RecordDeduplicator, progress: inout CollectionProgress, now: Date
    ) async throws(CollectorError) {
        for gap in state.takeExpiredGaps(now: now) {
            logger.error(
                "content blob expired before it could be collected: its records are lost",
                metadata: [
                    "contentId": "\(gap.contentId)", "attempts": "\(gap.attempts)", "lastError": "\(gap.lastError)",
                ])
            let letter = DeadLetterRecord(
                reason: "blob \(gap.contentId) kept failing (\(gap.attempts) attempts, last: \(gap.lastError)) "
                    + "until Microsoft expired it at \(gap.contentExpiration); its records are lost",
                errorClass: "contentExpired", stage: "collector.audit", tenantId: tenantId,
                sourceURI: gap.contentUri, originalKey: nil, originalValue: nil, failedAt: clock.now())
            try await publisher.publish([try publisher.deadLetter(letter, key: deadLetterKey)])
        }
        let retry = state.gapsToRetry(now: now).map {
            ContentBlobReference(
                contentType: contentType, contentId: $0.contentId, contentUri: $0.contentUri,
                contentCreated: $0.contentCreated, contentExpiration: $0.contentExpiration)
        }
        guard !retry.isEmpty else { return }
        logger.info("retrying content blobs that failed before", metadata: ["count": "\(retry.count)"])
        try await fetchAndPublish(retry, state: &state, dedupe: &dedupe, progress: &progress)
    }

    private func fetchAndPublish(
        _ blobs: [ContentBlobReference], state: inout AuditSourceState, dedupe: inout RecordDeduplicator,
        progress: inout CollectionProgress
    ) async throws(CollectorError) {
        guard !blobs.isEmpty else { return }
        let width = max(1, state.policy.blobConcurrency)
        var failure: CollectorError?
        await withTaskGroup(of: (ContentBlobReference, Result<PreparedBlob, CollectorError>).self) { group in
            var pending = blobs[...]
            func startNext() {
                guard let blob = pending.popFirst() else { return }
                // Fetching, parsing and encoding run in the child tasks, on every core; only the
                // dedupe check, the send and the checkpoint below run in order, one blob at a time.
                group.addTask { [self] in (blob, await fetchAndPrepare(blob)) }
            }
            for _ in 0..<width { startNext() }
            while let (blob, result) = await group.next() {
                do throws(CollectorError) {
                    try await publish(try result.get(), blob: blob, state: &state, dedupe: &dedupe, progress: &progress)
                } catch {
                    failure = error
                    group.cancelAll()
                    break
                }
                startNext()
            }
        }
        if let failure { throw failure }
    }

    /// A fetched blob turned into records ready to send (each with its `ce_id`) and dead letters;
    /// or the fetch error, which the publishing side records as a gap.
    struct PreparedBlob: Sendable {
        var records: [(id: String, record: KafkaProducerRecord)] = []
        var deadLetters: [KafkaProducerRecord] = []
        var fetchError: ManagementError?
        var collectedAt: Date
    }

    private func fetchAndPrepare(_ blob: ContentBlobReference) async -> Result<PreparedBlob, CollectorError> {
        let content: AuditBlobContent
        do throws(ManagementError) {
            content = try await client.fetchBlob(blob)
        } catch {
            return .success(PreparedBlob(fetchError: error, collectedAt: clock.now()))
        }
        do throws(CollectorError) {
            return .success(try await prepare(content, blob: blob))
        } catch {
            return .failure(error)
        }
    }

    private func prepare(_ content: AuditBlobContent, blob: ContentBlobReference) async throws(CollectorError)
        -> PreparedBlob
    {
        var prepared = PreparedBlob(collectedAt: clock.now())
        prepared.records.reserveCapacity(content.records.count)
        for (index, bytes) in content.records.enumerated() {
            var parsed: AuditRecordParser.ParsedRecord
            do throws(AuditRecordParser.Problem) {
                parsed = try parser.parse(Array(bytes), expectedTenant: tenantId)
            } catch {
                let letter = DeadLetterRecord(
                    reason: "record \(index) of blob \(blob.contentId): \(error.reason)", errorClass: error.errorClass,
                    stage: "collector.audit", tenantId: tenantId, sourceURI: "\(blob.contentUri)#\(index)",
                    originalKey: nil, originalValue: Array(bytes), failedAt: prepared.collectedAt)
                prepared.deadLetters.append(try publisher.deadLetter(letter, key: deadLetterKey))
                continue
            }
            if let directory { parsed.key = await directory.resolve(parsed.key) }
            let record = try publisher.auditRecord(
                parsed, contentType: contentType.rawValue, contentId: blob.contentId, source: sourceURI,
                collectedAt: prepared.collectedAt)
            prepared.records.append((EventID.raw(parsed.recordId), record))
        }
        return prepared
    }

    private func publish(
        _ prepared: PreparedBlob, blob: ContentBlobReference, state: inout AuditSourceState,
        dedupe: inout RecordDeduplicator, progress: inout CollectionProgress
    ) async throws(CollectorError) {
        if let error = prepared.fetchError {
            try await recordGap(blob, error: error, state: &state)
            return
        }
        let collectedAt = prepared.collectedAt
        var records = prepared.deadLetters
        var ids: [String] = []
        var inThisBlob = Set<String>()
        let deadLetters = prepared.deadLetters.count
        for (id, record) in prepared.records {
            guard !dedupe.contains(id), inThisBlob.insert(id).inserted else {
                progress.duplicatesSkipped += 1
                continue
            }
            records.append(record)
            ids.append(id)
        }
        try await publisher.publish(records)
        for id in ids { dedupe.insert(id, at: collectedAt) }
        state.blobPublished(contentId: blob.contentId, contentCreated: blob.contentCreated ?? collectedAt)
        try await writeCheckpoint(state)
        progress.blobsFetched += 1
        progress.recordsPublished += ids.count
        progress.deadLettered += deadLetters
        if deadLetters > 0 {
            logger.warning(
                "malformed records sent to the dead-letter topic",
                metadata: ["contentId": "\(blob.contentId)", "count": "\(deadLetters)"])
        }
    }

    private func recordGap(_ blob: ContentBlobReference, error: ManagementError, state: inout AuditSourceState)
        async throws(CollectorError)
    {
        if error.code == .contentExpired {
            // Expired: no later cycle can fetch it. Lost for good, and said so.
            let letter = DeadLetterRecord(
                reason: "blob \(blob.contentId) had expired when fetched (\(error.message)); its records are lost",
                errorClass: "contentExpired", stage: "collector.audit", tenantId: tenantId,
                sourceURI: blob.contentUri, originalKey: nil, originalValue: nil, failedAt: clock.now())
            try await publisher.publish([try publisher.deadLetter(letter, key: deadLetterKey)])
            state.blobPublished(contentId: blob.contentId, contentCreated: blob.contentCreated ?? clock.now())
            logger.error("content blob expired; its records are lost", metadata: ["contentId": "\(blob.contentId)"])
            return
        }
        if isCredentialFailure(error) { throw sourceError("fetching blob \(blob.contentId)", error) }
        logger.warning(
            "content blob failed after retries; recorded as a gap and retried next cycle",
            metadata: ["contentId": "\(blob.contentId)", "error": "\(error)"])
        state.blobFailed(
            contentId: blob.contentId, contentUri: blob.contentUri, contentCreated: blob.contentCreated ?? clock.now(),
            contentExpiration: blob.contentExpiration, error: "\(error.code): \(error.message)", now: clock.now())
        try await writeCheckpoint(state)
    }

    // MARK: Checkpoints and reports

    private func writeCheckpoint(_ state: AuditSourceState) async throws(CollectorError) {
        let record = try publisher.checkpoint(state.checkpoint(now: clock.now()))
        do {
            try await publisher.publish([record])
        } catch {
            throw CollectorError(
                code: .checkpointFailed, message: "checkpoint for \(state.source) not written: \(error.message)",
                isRetriable: true)
        }
    }

    private func reportLoss(_ lost: AuditSourceState.ContentSpan, state: AuditSourceState)
        async throws(CollectorError)
    {
        logger.critical(
            "resume point is older than the API's 7 days: content published in this span is lost for good",
            metadata: ["source": "\(state.source)", "from": "\(lost.start)", "to": "\(lost.end)"])
        let letter = DeadLetterRecord(
            reason: "the collector resumed after more than 7 days; content of \(contentType) published "
                + "\(lost.start) to \(lost.end) can no longer be listed and is lost",
            errorClass: "dataLost", stage: "collector.audit", tenantId: tenantId, sourceURI: sourceURI,
            originalKey: nil, originalValue: nil, failedAt: clock.now())
        try await publisher.publish([try publisher.deadLetter(letter, key: deadLetterKey)])
    }

    private var deadLetterKey: String { TopicKeys.checkpoint(tenantID: tenantId, source: "audit/\(contentType)") }

    func isCredentialFailure(_ error: ManagementError) -> Bool {
        switch error.code {
        case .authentication: !(error.tokenError?.isRetriable ?? false)
        case .missingPermission, .unauthorized: true
        default: false
        }
    }

    func sourceError(_ what: String, _ error: ManagementError) -> CollectorError {
        if isCredentialFailure(error) {
            return CollectorError(
                code: error.code == .missingPermission ? .missingPermission : .credentialsRejected,
                message: "\(what): \(error)", isRetriable: false)
        }
        return CollectorError(code: .sourceFailed, message: "\(what): \(error)", isRetriable: error.isRetriable)
    }
}
