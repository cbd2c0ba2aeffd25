import Events
import Foundation
import Testing

@testable import Correlation

@Suite("Partition timeline: event-time order within the grace")
struct PartitionTimelineTests {
    let start = ContinuousClock.now
    let grace = Duration.seconds(600)

    func event(_ id: String, minutes: Double) -> SecurityEvent {
        SecurityEvent(
            id: id, kind: .signIn, tenantId: "t", user: "alice@contoso.com",
            time: EngineInputs.start.addingTimeInterval(minutes * 60), operation: "signIn",
            source: SourceReference(topic: "raw", partition: 0, offset: 0, recordId: id))
    }

    func timeline() -> PartitionTimeline {
        PartitionTimeline(grace: grace, idleAfter: .seconds(5), startedAt: start)
    }

    @Test("events within the grace come out in event-time order, whatever order they arrived in")
    func releasesInEventTimeOrder() {
        var timeline = timeline()
        var released: [String] = []
        let arrivals: [(String, Double, RawInput.Feed)] = [
            ("c", 3, .mail), ("a", 1, .audit), ("b", 2, .mail), ("d", 4, .audit), ("late-but-in-grace", 0.5, .audit),
            ("x", 30, .mail), ("y", 31, .audit),
        ]
        for (offset, (id, minutes, feed)) in arrivals.enumerated() {
            released += timeline.admit(event(id, minutes: minutes), feed: feed, offset: Int64(offset), now: start)
                .map(\.event.id)
        }
        // Watermark: the slower feed (audit, 31 min) minus 10 min of grace = 21 min.
        #expect(released == ["late-but-in-grace", "a", "b", "c", "d"])
        #expect(timeline.drain().map(\.event.id) == ["x", "y"])
    }

    @Test("a feed that runs ahead does not push the other feed's records out of order")
    func aFeedReadAheadDoesNotMakeTheOtherLate() {
        var timeline = timeline()
        var late: [String] = []
        // The mail feed is read hours ahead before the audit feed delivers anything.
        for index in 0..<50 {
            late += timeline.admit(
                event("m\(index)", minutes: Double(index * 10)), feed: .mail, offset: Int64(index), now: start
            )
            .filter(\.isLate).map(\.event.id)
        }
        for index in 0..<50 {
            late += timeline.admit(
                event("a\(index)", minutes: Double(index * 10 + 5)), feed: .audit, offset: Int64(index), now: start
            )
            .filter(\.isLate).map(\.event.id)
        }
        #expect(late.isEmpty)
    }

    @Test("a record behind the watermark is released at once and marked late")
    func lateRecordsAreReleasedAndMarked() {
        var timeline = timeline()
        _ = timeline.admit(event("a", minutes: 100), feed: .audit, offset: 0, now: start)
        _ = timeline.admit(event("m", minutes: 100), feed: .mail, offset: 0, now: start)
        let released = timeline.admit(event("old", minutes: 10), feed: .audit, offset: 1, now: start)
        #expect(released.map(\.event.id) == ["old"])
        #expect(released.first?.isLate == true)
    }

    @Test("a feed idle for longer than idleAfter stops holding the others back")
    func idleFeedsStopHoldingBack() {
        var timeline = timeline()
        #expect(timeline.admit(event("m", minutes: 1), feed: .mail, offset: 0, now: start).isEmpty)
        // The audit feed never delivered: until idleAfter it may still, so nothing is released.
        #expect(timeline.tick(now: start + .seconds(4)).isEmpty)
        #expect(timeline.tick(now: start + .seconds(6)).map(\.event.id) == ["m"])
    }

    @Test("the watermark only moves forward, and the resume offset is the first record still waiting")
    func watermarkIsMonotonicAndResumeCoversWaitingRecords() {
        var timeline = timeline()
        _ = timeline.admit(event("a", minutes: 60), feed: .audit, offset: 7, now: start)
        _ = timeline.admit(event("m", minutes: 60), feed: .mail, offset: 3, now: start)
        _ = timeline.admit(event("m2", minutes: 90), feed: .mail, offset: 4, now: start)
        let first = timeline.watermark
        _ = timeline.tick(now: start + .seconds(60))  // both idle: everything goes
        let second = timeline.watermark
        #expect(first != nil && second != nil && second! >= first!)
        _ = timeline.admit(event("b", minutes: 200), feed: .audit, offset: 8, now: start + .seconds(61))
        #expect(timeline.watermark! >= second!)
        #expect(timeline.resumeOffsets()[.audit] == 8, "b waits, so a replay must start at it")
        #expect(timeline.resumeOffsets()[.mail] == 5)
    }

    @Test("the buffer is bounded: beyond its capacity the earliest are released early")
    func bufferIsBounded() {
        var timeline = PartitionTimeline(
            grace: .seconds(1_000_000), idleAfter: .seconds(5), capacity: 10, startedAt: start)
        var released = 0
        for index in 0..<100 {
            released +=
                timeline.admit(
                    event("e\(index)", minutes: Double(index)), feed: .audit, offset: Int64(index), now: start
                ).count
            #expect(timeline.pendingCount <= 10)
        }
        #expect(released == 90)
    }
}
