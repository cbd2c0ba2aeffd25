import Foundation
import HTTP
import M365
import TenantSimulator
import Testing

@Suite("GraphActions write accounting by request id")
struct GraphWriteAccountingTests {
    @Test("each write carries its command's request id, and the simulator counts its attempts by it")
    func accountedByRequestId() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let user = try #require(harness.tenant.world.directory.users.first { !$0.isSharedMailbox && !$0.isProtected })
        let disableId = GraphRequestID.forCommand("command-disable")
        #expect(await actions.disableAccount(user: user.userPrincipalName, requestId: disableId).isDone)
        let disable = try #require(try await harness.ledger(disableId))
        #expect(disable["endpoint"] as? String == GraphAPI.WriteEndpoint.updateUser)
        #expect(disable["target"] as? String == user.id)
        #expect(disable["attempts"] as? Int == 1)
        #expect(disable["succeeded"] as? Int == 1)
        #expect(disable["statuses"] as? [Int] == [204])

        // A command resent after a crash carries the same id: both attempts land on one entry.
        let now = await harness.tenant.now()
        let rule = try #require(harness.tenant.world.timeline.rules.first { $0.createdAt <= now })
        let ruleId = GraphRequestID.forCommand("command-rule")
        #expect(await actions.removeInboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id, requestId: ruleId).isDone)
        #expect(
            await actions.removeInboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id, requestId: ruleId)
                .isAlreadyDone)
        let removal = try #require(try await harness.ledger(ruleId))
        #expect(removal["endpoint"] as? String == GraphAPI.WriteEndpoint.deleteRule)
        #expect(removal["target"] as? String == rule.id)
        #expect(removal["attempts"] as? Int == 2)
        #expect(removal["succeeded"] as? Int == 1)
        #expect(removal["statuses"] as? [Int] == [204, 404])

        // A read with an id of its own leaves the write's entry alone.
        let readId = GraphRequestID.forCommand("command-disable#read-back")
        #expect(await actions.directoryUser(user.id, requestId: readId).value?.accountEnabled == false)
        #expect(try await harness.ledger(readId)?["endpoint"] as? String == "GET /users/{id}")
        #expect(try await harness.ledger(disableId)?["attempts"] as? Int == 1)
    }

    @Test("throttled writes wait out Retry-After, so none is retried early, while read-backs pass the storm")
    func throttlingStormOnWrites() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 0.5
        faults.graphRetryAfterSeconds = 1
        faults.graphThrottleWritesOnly = true
        let harness = try await Harness.start(faults: faults)
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let user = try #require(harness.tenant.world.directory.users.first { !$0.isSharedMailbox && !$0.isProtected })
        let writes: [(String, () async -> ActionResult)] = [
            (
                "disable",
                { await actions.disableAccount(user: user.id, requestId: GraphRequestID.forCommand("disable")) }
            ),
            ("revoke", { await actions.revokeSessions(user: user.id, requestId: GraphRequestID.forCommand("revoke")) }),
            (
                "password",
                { await actions.forcePasswordChange(user: user.id, requestId: GraphRequestID.forCommand("password")) }
            ),
            (
                "confirm",
                {
                    await actions.confirmCompromised(
                        userIds: [user.id], requestId: GraphRequestID.forCommand("confirm"))
                }
            ),
        ]
        for (name, write) in writes {
            let result = await write()
            #expect(result.isDone, "\(name): \(result)")
            // Reads are not throttled by a storm on writes.
            let readId = GraphRequestID.forCommand(name + "#read-back")
            #expect(await actions.directoryUser(user.id, requestId: readId).value != nil)
            #expect(try await harness.ledger(readId)?["throttled"] as? Int == 0)
        }
        let ledger = try await harness.sim("writes")
        let throttled = try #require(ledger["throttled"] as? Int)
        #expect(throttled > 0, "the storm throttled no write: the test proves nothing")
        #expect(ledger["earlyRetries"] as? Int == 0)
        var throttledByCommand = 0
        for (name, _) in writes {
            let entry = try #require(try await harness.ledger(GraphRequestID.forCommand(name)))
            let times = try #require(entry["throttled"] as? Int)
            throttledByCommand += times
            #expect(entry["attempts"] as? Int == times + 1, "\(name): every 429 retried once the wait was over")
            #expect(entry["succeeded"] as? Int == 1, "\(name) acted once")
            #expect(entry["earlyRetries"] as? Int == 0)
        }
        #expect(throttledByCommand == throttled)
    }
}
