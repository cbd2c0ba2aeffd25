import Collector
import Events
import Foundation
import Testing

@Suite("Mail window state")
struct MailWindowStateTests {
    let now = Date(timeIntervalSince1970: 1_795_132_800)
    let policy = MailCollectionPolicy(overlap: 3600, initialLookback: 2 * 3600)

    func state(_ kind: MailWindowSource = .signIns, _ checkpoint: CollectorCheckpoint? = nil) -> MailWindowState {
        MailWindowState(tenantId: "t", kind: kind, policy: policy, checkpoint: checkpoint)
    }

    @Test("a first start lists the initial look-back")
    func firstStartListsLookBack() {
        let plan = state().plan(now: now)
        #expect(plan.since == now.addingTimeInterval(-2 * 3600))
        #expect(plan.lost == nil)
    }

    @Test("the next listing starts an overlap before the latest item seen, so late items are listed again")
    func nextListingStartsOverlapBeforeLatestItem() {
        var source = state()
        source.listed(latestSeen: now.addingTimeInterval(-600), now: now)
        #expect(source.watermark == now.addingTimeInterval(-600))
        #expect(source.plan(now: now.addingTimeInterval(60)).since == now.addingTimeInterval(-600 - 3600))
    }

    @Test("an item stamped in the future never pushes the watermark past now")
    func futureItemDoesNotPushWatermarkPastNow() {
        var source = state()
        source.listed(latestSeen: now.addingTimeInterval(86_400), now: now)
        #expect(source.watermark == now)
        #expect(source.plan(now: now).since == now.addingTimeInterval(-3600))
    }

    @Test("a quiet source's window stays short instead of reaching back to its last item")
    func quietSourceWindowStaysShort() {
        let old = now.addingTimeInterval(-3 * 86_400)
        var source = state(
            .riskyUsers, CollectorCheckpoint(tenantId: "t", source: "mail/riskyUsers", watermark: old, updatedAt: old))
        source.listed(latestSeen: nil, now: now)
        #expect(source.watermark == now.addingTimeInterval(-3600))
        #expect(source.plan(now: now).since == now.addingTimeInterval(-2 * 3600))
    }

    @Test("the watermark never moves back")
    func watermarkNeverMovesBack() {
        var source = state()
        source.listed(latestSeen: now, now: now)
        source.listed(latestSeen: now.addingTimeInterval(-7200), now: now.addingTimeInterval(60))
        #expect(source.watermark == now)
    }

    @Test("a resume point older than Graph keeps sign-ins is clamped to 30 days and the lost span reported")
    func oldResumePointClampedAndLossReported() {
        let watermark = now.addingTimeInterval(-40 * 86_400)
        let checkpoint = CollectorCheckpoint(
            tenantId: "t", source: "mail/signIns", watermark: watermark, updatedAt: watermark)
        let plan = state(.signIns, checkpoint).plan(now: now)
        let earliest = now.addingTimeInterval(-30 * 86_400)
        #expect(plan.since == earliest)
        #expect(plan.lost == watermark...earliest)
    }

    @Test("risky users are a current state, not a log: an old resume point loses nothing")
    func riskyUsersAreNotClamped() {
        let watermark = now.addingTimeInterval(-40 * 86_400)
        let checkpoint = CollectorCheckpoint(
            tenantId: "t", source: "mail/riskyUsers", watermark: watermark, updatedAt: watermark)
        let plan = state(.riskyUsers, checkpoint).plan(now: now)
        #expect(plan.since == watermark.addingTimeInterval(-3600))
        #expect(plan.lost == nil)
    }

    @Test("a backfill starts at --since once, then continues from the watermark")
    func backfillOverridesCheckpointOnce() {
        let checkpoint = CollectorCheckpoint(tenantId: "t", source: "mail/alerts", watermark: now, updatedAt: now)
        var source = state(.alerts, checkpoint)
        let since = now.addingTimeInterval(-5 * 86_400)
        source.backfill(from: since)
        #expect(source.plan(now: now).since == since)
        source.listed(latestSeen: nil, now: now)
        #expect(source.plan(now: now).since == now.addingTimeInterval(-3600))
    }

    @Test("the checkpoint keeps the watermark under the source's name and round-trips")
    func checkpointRoundTrips() throws {
        var source = state(.threatSubmissions)
        source.listed(latestSeen: now, now: now)
        let checkpoint = source.checkpoint(now: now)
        #expect(checkpoint.source == "mail/threatSubmissions")
        let bytes = try EventEncoder().encode(checkpoint)
        let decoded = try BoundedJSONDecoder().decodeValue(CollectorCheckpoint.self, from: bytes)
        #expect(state(.threatSubmissions, decoded).watermark == now)
    }
}
