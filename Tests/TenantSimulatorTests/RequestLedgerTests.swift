import Foundation
import Testing

@testable import TenantSimulator

/// Graph calls are accounted by `client-request-id`, and a resend that comes before the
/// `Retry-After` of its 429 is caught (in real time) and throttled again, as Graph would.
@Suite struct RequestLedgerTests {
    static let revokeId = "6f1c1f1e-0d7a-5b1e-9a51-1d2b3c4d5e6f"

    @Test func writesCarryingARequestIdAreCountedPerIdAndTheIdIsEchoed() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let victim = try #require(session.world.groundTruth.expectedStories.first?.user)
        let victimId = try #require(session.world.directory.user(id: victim)?.id)
        let disable = #"{"accountEnabled":false}"#

        let first = try await session.graph("PATCH", "/v1.0/users/\(victim)", json: disable, requestId: "cmd-a")
        #expect(first.status == 204)
        #expect(first.header("client-request-id") == "cmd-a")
        let again = try await session.graph("PATCH", "/v1.0/users/\(victim)", json: disable, requestId: "cmd-a")
        #expect(again.status == 204)
        let missing = try await session.graph(
            "PATCH", "/v1.0/users/00000000-0000-0000-0000-000000000001", json: disable, requestId: "cmd-b")
        #expect(missing.status == 404)
        #expect(missing.header("client-request-id") == "cmd-b")
        let anonymous = try await session.graph("PATCH", "/v1.0/users/\(victim)", json: disable)
        #expect(anonymous.header("client-request-id") == nil)
        let read = try await session.graph("GET", "/v1.0/users/\(victim)?$select=id", requestId: "read-c")
        #expect(read.status == 200)

        let writes = try await session.writes()
        // What /sim/writes said before stays as it was.
        let counts = try #require(writes["counts"] as? [[String: Any]])
        #expect(counts.first { $0["target"] as? String == victimId }?["count"] as? Int == 3)
        #expect(writes["total"] as? Int == 4)
        #expect((writes["recent"] as? [Any])?.count == 4)
        let byId = try #require(writes["byRequestId"] as? [String: [String: Any]])
        #expect(Set(byId.keys) == ["cmd-a", "cmd-b", "read-c"], "a call without an id has no entry")
        let a = try #require(byId["cmd-a"])
        #expect(a["endpoint"] as? String == GraphAPI.WriteEndpoint.updateUser)
        #expect(a["target"] as? String == victimId)
        #expect(a["attempts"] as? Int == 2)
        #expect(a["succeeded"] as? Int == 2)
        #expect(a["statuses"] as? [Int] == [204, 204])
        #expect(a["throttled"] as? Int == 0)
        #expect(a["earlyRetries"] as? Int == 0)
        let b = try #require(byId["cmd-b"])
        #expect(b["attempts"] as? Int == 1)
        #expect(b["succeeded"] as? Int == 0)
        #expect(b["statuses"] as? [Int] == [404])
        let c = try #require(byId["read-c"])
        #expect(c["endpoint"] as? String == "GET /users/{id}")
        #expect(c["target"] as? String == victim)
        #expect(writes["throttled"] as? Int == 0)
        #expect(writes["earlyRetries"] as? Int == 0)
    }

    @Test func aResendBeforeRetryAfterIsAnEarlyRetryAnsweredWithTheRemainingWaitWhateverTheClockSays() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        try await session.setFaults(
            #"{"graphThrottleFraction":1,"graphRetryAfterSeconds":60,"graphThrottleWritesOnly":true}"#)
        let faults = try #require(try await session.simulator.send("GET", "/sim/faults").object)
        #expect(faults["graphThrottleWritesOnly"] as? Bool == true)
        let user = try #require(session.world.directory.users.first { !$0.isSharedMailbox })
        let path = "/v1.0/users/\(user.id)/revokeSignInSessions"

        let throttled = try await session.graph("POST", path, json: "{}", requestId: Self.revokeId)
        #expect(throttled.status == 429)
        #expect(throttled.header("Retry-After") == "60")
        #expect(throttled.header("client-request-id") == Self.revokeId)
        // Reads pass while writes are throttled.
        let read = try await session.graph("GET", "/v1.0/users/\(user.id)")
        #expect(read.status == 200)

        let early = try await session.graph("POST", path, json: "{}", requestId: Self.revokeId)
        #expect(early.status == 429)
        #expect(early.errorCode == "TooManyRequests")
        let remaining = try #require(early.header("Retry-After").flatMap { Int($0) })
        #expect((1...60).contains(remaining))
        // Lifting the faults does not shorten the wait Graph asked for ...
        try await session.setFaults("{}")
        #expect(try await session.graph("POST", path, json: "{}", requestId: Self.revokeId).status == 429)
        // ... nor does moving the simulation clock: the wait is in real seconds.
        let moved = try await session.simulator.send("POST", "/sim/clock", body: Data(#"{"advanceSeconds":1800}"#.utf8))
        #expect(moved.status == 200)
        #expect(try await session.graph("POST", path, json: "{}", requestId: Self.revokeId).status == 429)
        // Another id is not held back by this one's wait.
        #expect(try await session.graph("POST", path, json: "{}", requestId: "another-command").status == 200)

        let writes = try await session.writes()
        #expect(writes["throttled"] as? Int == 1)
        #expect(writes["earlyRetries"] as? Int == 3)
        let entry = try #require(try await session.ledger(Self.revokeId))
        #expect(entry["endpoint"] as? String == GraphAPI.WriteEndpoint.revokeSignInSessions)
        #expect(entry["target"] as? String == user.id)
        #expect(entry["attempts"] as? Int == 4)
        #expect(entry["throttled"] as? Int == 1)
        #expect(entry["earlyRetries"] as? Int == 3)
        #expect(entry["succeeded"] as? Int == 0)
        #expect(entry["statuses"] as? [Int] == [429, 429, 429, 429])
        let state = await session.tenant.currentState()
        #expect(state.revokedSessions[user.id]?.count == 1, "only the other command's call reached Graph")
    }

    @Test func aResendAfterRetryAfterHasPassedIsNotEarly() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        try await session.setFaults(
            #"{"graphThrottleFraction":1,"graphRetryAfterSeconds":1,"graphThrottleWritesOnly":true}"#)
        let user = try #require(session.world.directory.users.first { !$0.isSharedMailbox })
        let path = "/v1.0/users/\(user.id)/revokeSignInSessions"
        let throttled = try await session.graph("POST", path, json: "{}", requestId: Self.revokeId)
        #expect(throttled.status == 429)
        let answeredAt = ContinuousClock.now
        try await session.setFaults("{}")
        // Wait exactly what Graph asked for, counted from when the answer arrived.
        try await ContinuousClock().sleep(until: answeredAt.advanced(by: .seconds(1)))
        let retried = try await session.graph("POST", path, json: "{}", requestId: Self.revokeId)
        #expect(retried.status == 200)
        let entry = try #require(try await session.ledger(Self.revokeId))
        #expect(entry["attempts"] as? Int == 2)
        #expect(entry["throttled"] as? Int == 1)
        #expect(entry["earlyRetries"] as? Int == 0)
        #expect(entry["succeeded"] as? Int == 1)
        #expect(entry["statuses"] as? [Int] == [429, 200])
    }

    @Test func throttledReadsAreJudgedLikeWrites() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 1
        faults.graphRetryAfterSeconds = 30
        let session = try await ActionAppSession.start(faults: faults)
        defer { Task { await session.stop() } }
        let user = try #require(session.world.directory.users.first)
        #expect(try await session.graph("GET", "/v1.0/users/\(user.id)", requestId: "read-1").status == 429)
        #expect(try await session.graph("GET", "/v1.0/users/\(user.id)", requestId: "read-1").status == 429)
        #expect(try await session.graph("GET", "/v1.0/domains").status == 429)
        let writes = try await session.writes()
        #expect(writes["throttled"] as? Int == 2, "every throttled call counts, with or without an id")
        #expect(writes["earlyRetries"] as? Int == 1)
        let entry = try #require(try await session.ledger("read-1"))
        #expect(entry["endpoint"] as? String == "GET /users/{id}")
        #expect(entry["throttled"] as? Int == 1)
        #expect(entry["earlyRetries"] as? Int == 1)
    }

    @Test func withoutRetryAfterNothingIsEarly() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        try await session.setFaults(#"{"graphThrottleFraction":1,"graphRetryAfterSeconds":null}"#)
        let user = try #require(session.world.directory.users.first)
        for _ in 0..<2 {
            let response = try await session.graph("GET", "/v1.0/users/\(user.id)", requestId: "read-2")
            #expect(response.status == 429)
            #expect(response.header("Retry-After") == nil)
        }
        let entry = try #require(try await session.ledger("read-2"))
        #expect(entry["throttled"] as? Int == 2)
        #expect(entry["earlyRetries"] as? Int == 0)
    }

    @Test func theLedgerKeepsBoundedHistories() throws {
        var ledger = GraphRequestLedger()
        for index in 0..<(GraphRequestLedger.idLimit + 5) {
            ledger.record(requestId: "id-\(index)", endpoint: ("GET /domains", ""), status: 200, throttling: .none)
        }
        #expect(ledger.entries.count <= GraphRequestLedger.idLimit)
        #expect(ledger.entries["id-\(GraphRequestLedger.idLimit + 4)"] != nil, "the newest are kept")
        #expect(ledger.entries["id-0"] == nil, "the oldest are forgotten")
        for _ in 0..<(GraphRequestLedger.statusLimit + 3) {
            ledger.record(requestId: "busy", endpoint: ("GET /domains", ""), status: 503, throttling: .none)
        }
        ledger.record(requestId: "busy", endpoint: ("GET /domains", ""), status: 200, throttling: .none)
        let busy = try #require(ledger.entries["busy"])
        #expect(busy.attempts == GraphRequestLedger.statusLimit + 4)
        #expect(busy.statuses.count == GraphRequestLedger.statusLimit)
        #expect(busy.statuses.last == 200)
    }
}
