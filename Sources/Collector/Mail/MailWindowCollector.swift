import Events
import Foundation
import Logging
import M365

/// Collects one time-window source (sign-ins, risky users, submissions, alerts) of one tenant:
/// lists from the planned `since`, publishes each page's new items once, and checkpoints the
/// advanced watermark after Kafka acknowledged them.
///
/// The decisions live in ``MailWindowState``; this type does the I/O. A listing that fails
/// half-way leaves the watermark where it was: the next cycle lists the same span again and
/// the dedupe memory keeps what was already published off the topic.
struct MailWindowCollector: Sendable {
    let client: GraphClient
    let kind: MailWindowSource
    let output: MailOutput
    let progress: CollectionProgressSink

    var tenantId: String { output.tenantId }
    private var clock: M365Clock { output.clock }

    func runCycle(state: inout MailWindowState, dedupe: inout RecordDeduplicator) async throws(CollectorError) {
        let now = effectiveNow()
        var progress = CollectionProgress(source: state.source, startedAt: clock.now())
        progress.windowsTotal = 1
        dedupe.evict(now: clock.now())
        let plan = state.plan(now: now)
        if let lost = plan.lost { try await reportLoss(lost, state: state) }
        var latest: Date?
        // Graph lists the newest first, page after page: the cycle's items are held (up to a
        // bound) and published oldest first, so the correlator meets a user's sign-ins in the
        // order they happened rather than each page's newest ahead of the page before.
        var held: [GraphItem] = []
        var pages = client.pages(kind.path, since: plan.since, timeProperty: kind.timeProperty, version: kind.version)
            .makeAsyncIterator()
        while true {
            let page: GraphPage?
            do {
                page = try await pages.next()
            } catch {
                throw GraphFailure.collectorError("listing \(kind.rawValue)", error, permission: kind.permission)
            }
            guard let page else { break }
            let items = page.items.map { GraphItem(raw: $0, timeKey: kind.timeProperty) }
            for time in items.compactMap(\.time) { latest = max(latest ?? time, time) }
            held += items
            if held.count >= Self.heldItemsLimit {
                try await publish(held, state: state, dedupe: &dedupe, progress: &progress)
                held.removeAll(keepingCapacity: true)
            }
        }
        try await publish(held, state: state, dedupe: &dedupe, progress: &progress)
        state.listed(latestSeen: latest, now: now)
        try await output.writeCheckpoint(state.checkpoint(now: clock.now()))
        progress.windowsDone = 1
        progress.now = clock.now()
        self.progress(progress)
    }

    /// Items of one cycle held before publishing; a backfill longer than this is published in
    /// chunks of this many, each oldest first.
    static let heldItemsLimit = 20_000

    /// Oldest first, so consumers meet the events in the order they happened.
    private func publish(
        _ items: [GraphItem], state: MailWindowState, dedupe: inout RecordDeduplicator,
        progress: inout CollectionProgress
    ) async throws(CollectorError) {
        let collectedAt = clock.now()
        var changes: [MailChange] = []
        for item in items {
            guard let change = MailWindowItem.change(item, kind: kind, tenantId: tenantId, collectedAt: collectedAt)
            else {
                try await output.deadLetter(
                    reason: "a \(kind.rawValue) item without an id: not a Graph resource", errorClass: "missingId",
                    source: state.source, sourceURI: client.url(kind.path, version: kind.version),
                    original: Array(item.raw.canonicalText.utf8))
                progress.deadLettered += 1
                continue
            }
            changes.append(change)
        }
        changes.sort { $0.eventTime < $1.eventTime }
        let outcome = try await output.publish(changes, source: state.source, dedupe: &dedupe)
        progress.recordsPublished += outcome.published
        progress.duplicatesSkipped += outcome.skipped
    }

    /// Our clock, moved back if Graph's `Date` says it is behind: a watermark never lies in
    /// Microsoft's future.
    private func effectiveNow() -> Date {
        clock.now().addingTimeInterval(min(0, client.lastServerTimeSkew ?? 0))
    }

    private func reportLoss(_ lost: ClosedRange<Date>, state: MailWindowState) async throws(CollectorError) {
        output.logger.critical(
            "resume point is older than Graph keeps \(kind.rawValue): items of this span are lost for good",
            metadata: ["source": "\(state.source)", "from": "\(lost.lowerBound)", "to": "\(lost.upperBound)"])
        try await output.deadLetter(
            reason: "the collector resumed after Graph's retention of \(kind.rawValue); items from \(lost.lowerBound) "
                + "to \(lost.upperBound) can no longer be listed and are lost",
            errorClass: "dataLost", source: state.source, sourceURI: output.sourceURI(state.source), original: nil)
    }
}
