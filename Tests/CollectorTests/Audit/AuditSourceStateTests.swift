import Collector
import Events
import Foundation
import Testing

@Suite("Audit source state")
struct AuditSourceStateTests {
    let now = Date(timeIntervalSince1970: 1_795_132_800)
    let policy = AuditCollectionPolicy(
        overlap: 4 * 3600, windowLength: 3600, retentionMargin: 900, initialLookback: 7200)

    func state(_ checkpoint: CollectorCheckpoint? = nil) -> AuditSourceState {
        AuditSourceState(tenantId: "t", contentType: "Audit.Exchange", policy: policy, checkpoint: checkpoint)
    }

    @Test("a first start lists the initial look-back in windows of at most the window length, ending now")
    func firstStartPlansLookBack() {
        let plan = state().planCycle(now: now)
        #expect(plan.windows.count == 2)
        #expect(plan.windows.first?.start == now.addingTimeInterval(-7200))
        #expect(plan.windows.last?.end == now)
        #expect(plan.windows.allSatisfy { $0.end.timeIntervalSince($0.start) <= 3600 })
        #expect(plan.lost == nil)
    }

    @Test("every cycle re-lists the overlap before the watermark, so late content is found")
    func cycleRelistsOverlap() {
        var source = state()
        source.windowCompleted(.init(start: now.addingTimeInterval(-3600), end: now))
        let later = now.addingTimeInterval(600)
        let plan = source.planCycle(now: later)
        #expect(plan.windows.first?.start == now.addingTimeInterval(-4 * 3600))
        #expect(plan.windows.last?.end == later)
    }

    @Test("a published blob is skipped on re-listing, also after a restore from the checkpoint")
    func publishedBlobSkippedAfterRestore() {
        var source = state()
        source.blobPublished(contentId: "blob-1", contentCreated: now.addingTimeInterval(-60))
        #expect(!source.needsFetch(contentId: "blob-1"))
        #expect(source.needsFetch(contentId: "blob-2"))
        let restored = state(source.checkpoint(now: now))
        #expect(!restored.needsFetch(contentId: "blob-1"))
        #expect(restored.needsFetch(contentId: "blob-2"))
    }

    @Test("blobs older than the next overlap are forgotten, so the checkpoint stays small")
    func completedBlobsPruned() {
        var source = state()
        source.blobPublished(contentId: "old", contentCreated: now.addingTimeInterval(-5 * 3600))
        source.blobPublished(contentId: "recent", contentCreated: now.addingTimeInterval(-3600))
        source.windowCompleted(.init(start: now.addingTimeInterval(-3600), end: now))
        let ids = source.checkpoint(now: now).completedContent?.map(\.contentId)
        #expect(ids == ["recent"])
    }

    @Test("a failing blob becomes a gap, is retried next cycle, and leaves the gaps once published")
    func gapRetriedUntilPublished() {
        var source = state()
        source.blobFailed(
            contentId: "b", contentUri: "https://x/b", contentCreated: now, contentExpiration: nil, error: "AF50000",
            now: now)
        source.blobFailed(
            contentId: "b", contentUri: "https://x/b", contentCreated: now, contentExpiration: nil, error: "AF50000",
            now: now)
        #expect(!source.needsFetch(contentId: "b"), "gaps are retried through gapsToRetry, not through listings")
        #expect(source.gapsToRetry(now: now).map(\.attempts) == [2])
        let restored = state(source.checkpoint(now: now))
        #expect(restored.gapsToRetry(now: now).map(\.contentId) == ["b"])
        source.blobPublished(contentId: "b", contentCreated: now)
        #expect(source.gapsToRetry(now: now).isEmpty)
    }

    @Test("a gap older than Microsoft keeps content is taken out as lost for good")
    func expiredGapIsTakenOut() {
        var source = state()
        source.blobFailed(
            contentId: "b", contentUri: "https://x/b", contentCreated: now,
            contentExpiration: now.addingTimeInterval(60),
            error: "AF50000", now: now)
        let later = now.addingTimeInterval(61)
        #expect(source.gapsToRetry(now: later).isEmpty)
        #expect(source.takeExpiredGaps(now: later).map(\.contentId) == ["b"])
        #expect(source.openGaps.isEmpty)
    }

    @Test("a resume point older than 7 days is clamped to the API's limit and the lost span is reported")
    func oldResumePointClampedAndLossReported() {
        let watermark = now.addingTimeInterval(-9 * 24 * 3600)
        let checkpoint = CollectorCheckpoint(
            tenantId: "t", source: "audit/Audit.Exchange", watermark: watermark, updatedAt: watermark)
        let plan = state(checkpoint).planCycle(now: now)
        let earliest = now.addingTimeInterval(-7 * 24 * 3600 + 900)
        #expect(plan.windows.first?.start == earliest)
        #expect(plan.lost == .init(start: watermark, end: earliest))
        #expect(plan.windows.count == Int((now.timeIntervalSince(earliest) / 3600).rounded(.up)))
    }

    @Test("a backfill starts at --since even when the checkpoint is later, then continues from the watermark")
    func backfillOverridesCheckpointOnce() {
        let checkpoint = CollectorCheckpoint(
            tenantId: "t", source: "audit/Audit.Exchange", watermark: now, updatedAt: now)
        var source = state(checkpoint)
        let since = now.addingTimeInterval(-3 * 24 * 3600)
        source.backfill(from: since)
        let plan = source.planCycle(now: now)
        #expect(plan.windows.first?.start == since)
        for window in plan.windows { source.windowCompleted(window) }
        #expect(source.planCycle(now: now).windows.first?.start == now.addingTimeInterval(-4 * 3600))
    }

    @Test("the checkpoint round-trips through its topic encoding")
    func checkpointRoundTrips() throws {
        var source = state()
        source.blobPublished(contentId: "a", contentCreated: now)
        source.windowCompleted(.init(start: now.addingTimeInterval(-60), end: now))
        let bytes = try EventEncoder().encode(source.checkpoint(now: now))
        let decoded = try BoundedJSONDecoder().decodeValue(CollectorCheckpoint.self, from: bytes)
        #expect(decoded == source.checkpoint(now: now))
        #expect(decoded.schemaVersion == CollectorCheckpoint.currentVersion)
    }
}
