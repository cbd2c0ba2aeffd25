import Collector
import Events
import Foundation
import Testing

@Suite("Message delta state")
struct MessageDeltaStateTests {
    let now = Date(timeIntervalSince1970: 1_795_132_800)
    let policy = MailCollectionPolicy(
        overlap: 3600, initialLookback: 2 * 3600, checkpointRefresh: 3600, createdSlack: 300)

    func state(_ checkpoint: CollectorCheckpoint? = nil) -> MessageDeltaState {
        MessageDeltaState(tenantId: "t", source: "mail/messages/a@contoso.com", policy: policy, checkpoint: checkpoint)
    }

    @Test("a first start syncs the messages received within the look-back, or since --since")
    func firstStartSyncsLookBack() {
        var fresh = state()
        #expect(fresh.start(now: now, backfillFrom: nil) == .sync(receivedSince: now.addingTimeInterval(-7200)))
        #expect(fresh.isSyncing)
        let since = now.addingTimeInterval(-3 * 86_400)
        #expect(fresh.start(now: now, backfillFrom: since) == .sync(receivedSince: since))
    }

    @Test("everything a sync finds is created")
    func syncFindsCreated() {
        var fresh = state()
        _ = fresh.start(now: now, backfillFrom: nil)
        #expect(fresh.changeKind(receivedAt: now.addingTimeInterval(-86_400)) == .created)
    }

    @Test("after a round, the delta link is resumed, and only mail received since the round is created")
    func incrementalRoundClassifiesByReceivedTime() {
        var delta = state()
        _ = delta.start(now: now, backfillFrom: nil)
        delta.roundCompleted(deltaLink: "https://graph/delta?$deltatoken=1", startedAt: now)
        #expect(
            delta.start(now: now.addingTimeInterval(60), backfillFrom: nil)
                == .link("https://graph/delta?$deltatoken=1"))
        #expect(!delta.isSyncing)
        #expect(delta.changeKind(receivedAt: now.addingTimeInterval(30)) == .created)
        #expect(delta.changeKind(receivedAt: now.addingTimeInterval(-200)) == .created, "within the slack")
        #expect(delta.changeKind(receivedAt: now.addingTimeInterval(-3600)) == .updated)
    }

    @Test("a 410 drops the link and syncs again from an overlap before the last round")
    func expiredLinkResyncsFromLastRound() {
        var delta = state(
            CollectorCheckpoint(
                tenantId: "t", source: "mail/messages/a@contoso.com", watermark: now, deltaLink: "https://graph/old",
                updatedAt: now))
        #expect(delta.start(now: now.addingTimeInterval(600), backfillFrom: nil) == .link("https://graph/old"))
        delta.linkExpired()
        #expect(delta.deltaLink == nil)
        #expect(
            delta.start(now: now.addingTimeInterval(600), backfillFrom: nil)
                == .sync(receivedSince: now.addingTimeInterval(-3600)))
        #expect(delta.changeKind(receivedAt: now.addingTimeInterval(300)) == .created)
    }

    @Test("a round checkpoints when it published, when its link was never checkpointed, or when the last is old")
    func checkpointOnlyWhenNeeded() {
        var delta = state()
        _ = delta.start(now: now, backfillFrom: nil)
        delta.roundCompleted(deltaLink: "https://graph/1", startedAt: now)
        #expect(delta.needsCheckpoint(published: 0, now: now), "a first link is always kept")
        delta.checkpointWritten(at: now)
        #expect(!delta.needsCheckpoint(published: 0, now: now.addingTimeInterval(60)))
        #expect(delta.needsCheckpoint(published: 3, now: now.addingTimeInterval(60)))
        #expect(delta.needsCheckpoint(published: 0, now: now.addingTimeInterval(3600)))
    }

    @Test("the checkpoint holds the link and the round time, and restores both")
    func checkpointRestores() throws {
        var delta = state()
        _ = delta.start(now: now, backfillFrom: nil)
        delta.roundCompleted(deltaLink: "https://graph/1", startedAt: now)
        let bytes = try EventEncoder().encode(delta.checkpoint(now: now))
        let restored = state(try BoundedJSONDecoder().decodeValue(CollectorCheckpoint.self, from: bytes))
        #expect(restored.deltaLink == "https://graph/1")
        #expect(restored.lastRound == now)
        #expect(!restored.needsCheckpoint(published: 0, now: now.addingTimeInterval(60)))
    }
}
