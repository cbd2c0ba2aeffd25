import Foundation
import HTTP
import M365
import TenantSimulator
import Testing

/// What the simulated world holds, to compare Graph's answers with.
extension Harness {
    /// The mailbox with the most inbox messages by now, and those messages' ids.
    func busiestInbox() async -> (userId: String, messageIds: [String]) {
        let now = await tenant.now()
        var byMailbox: [String: [String]] = [:]
        for message in tenant.world.timeline.messages
        where message.folder.lowercased() == "inbox" && message.receivedDateTime <= now {
            byMailbox[message.mailboxUserId, default: []].append(message.id)
        }
        let best = byMailbox.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }!
        return (best.key, best.value)
    }

    /// Users that exist by now.
    func visibleUserIds() async -> Set<String> {
        let now = await tenant.now()
        return Set(tenant.world.directory.users.filter { $0.createdAt <= now }.map(\.id))
    }
}

@Suite("GraphClient against the simulator")
struct GraphClientTests {
    @Test("collections are paged through @odata.nextLink to the end")
    func paging() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let graph = harness.graph(harness.tokens(harness.tenant.apps.collector))

        var pageCount = 0
        for try await _ in graph.pages("users") { pageCount += 1 }
        #expect(pageCount >= 3, "5 users per page")
        let users = try await graph.users()
        #expect(Set(users.compactMap(\.id)) == (await harness.visibleUserIds()))
        #expect(users.count == Set(users.compactMap(\.id)).count)

        let inbox = await harness.busiestInbox()
        let messages = try await graph.messages(mailbox: inbox.userId)
        #expect(Set(messages.compactMap(\.id)) == Set(inbox.messageIds))
        #expect(messages.allSatisfy { $0.time != nil })

        // The other typed reads answer, each in its shape.
        #expect(try await graph.domains().contains { $0.id == harness.tenant.world.directory.defaultDomain })
        let signIns = try await graph.signIns(since: Harness.worldStart)
        #expect(!signIns.isEmpty && signIns.allSatisfy { ($0.time ?? .distantPast) >= Harness.worldStart })
        _ = try await graph.riskyUsers()
        _ = try await graph.alerts(since: Harness.worldStart)
        _ = try await graph.threatSubmissions(since: Harness.worldStart)
        _ = try await graph.messageRules(mailbox: inbox.userId)
        let settings = try await graph.mailboxSettings(mailbox: inbox.userId)
        #expect(settings["timeZone"]?.stringValue != nil)
    }

    @Test("delta: a full round, then a move seen as @removed in the inbox and as new in junk")
    func deltaAfterMove() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let graph = harness.graph(harness.tokens(harness.tenant.apps.collector))
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let inbox = await harness.busiestInbox()

        let first = try await graph.messagesDelta(mailbox: inbox.userId, pageSize: 4)
        #expect(Set(first.changed.compactMap(\.id)) == Set(inbox.messageIds))
        #expect(first.removed.isEmpty)

        let moved = try #require(inbox.messageIds.first)
        let result = await actions.moveMessage(mailbox: inbox.userId, messageId: moved, to: .junkEmail)
        guard case .done(let details) = result, let newId = details.newMessageId else {
            Issue.record("move did not succeed: \(result)")
            return
        }
        #expect(newId != moved)
        await harness.advance(by: 1)

        let second = try await graph.messagesDelta(mailbox: inbox.userId, deltaLink: first.deltaLink)
        #expect(second.removed.map(\.id) == [moved])
        #expect(second.changed.isEmpty)
        #expect(second.deltaLink != first.deltaLink)

        let junk = try await graph.messagesDelta(mailbox: inbox.userId, folder: "junkemail")
        #expect(junk.changed.contains { $0.id == newId })
    }

    @Test("an expired delta link answers 410: resyncRequired")
    func resyncRequired() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let graph = harness.graph(harness.tokens(harness.tenant.apps.collector))
        let inbox = await harness.busiestInbox()
        let round = try await graph.messagesDelta(mailbox: inbox.userId)
        await harness.advance(by: 8 * 86_400)
        let error = await #expect(throws: GraphError.self) {
            _ = try await graph.messagesDelta(mailbox: inbox.userId, deltaLink: round.deltaLink)
        }
        #expect(error?.code == .resyncRequired)
        #expect(error?.httpStatus == 410)
        #expect(error?.graphCode == "SyncStateNotFound")
    }

    @Test("a 403 fails at once with Graph's message, reads and writes alike")
    func forbiddenFailsAtOnce() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // The action app may not read sign-ins; the collector app may not write.
        let graph = harness.graph(harness.tokens(harness.tenant.apps.actions))
        let error = await #expect(throws: GraphError.self) { _ = try await graph.signIns(since: Harness.worldStart) }
        #expect(error?.code == .forbidden)
        #expect(error?.graphCode == "Authorization_RequestDenied")
        #expect(error?.message == "Insufficient privileges to complete the operation.")
        #expect(error?.isRetriable == false)

        let collectorActions = harness.actions(harness.tokens(harness.tenant.apps.collector))
        let user = try #require(harness.tenant.world.directory.users.first)
        let result = await collectorActions.disableAccount(user: user.id)
        guard case .forbidden(let permission, let message) = result else {
            Issue.record("expected forbidden, got \(result)")
            return
        }
        #expect(permission.contains("User.EnableDisableAccount.All"))
        #expect(message == "Insufficient privileges to complete the operation.")
        #expect(await harness.writes(GraphAPI.WriteEndpoint.updateUser, user.id) == 1, "sent once, no retry")
    }

    @Test("a throttling storm (429 with Retry-After: 1 on 30 % of calls) is waited out and nothing is lost")
    func throttlingStorm() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 0.3
        faults.graphRetryAfterSeconds = 1
        let capture = LogCapture()
        let harness = try await Harness.start(faults: faults, logger: capture.logger())
        defer { Task { await harness.stop() } }
        let graph = harness.graph(harness.tokens(harness.tenant.apps.collector))
        let started = ContinuousClock.now
        let users = try await graph.users()
        let inbox = await harness.busiestInbox()
        let messages = try await graph.messages(mailbox: inbox.userId)
        let elapsed = ContinuousClock.now - started
        #expect(Set(users.compactMap(\.id)) == (await harness.visibleUserIds()))
        #expect(Set(messages.compactMap(\.id)) == Set(inbox.messageIds))
        let throttled = capture.all.filter { $0.contains("Retrying HTTP request") && $0.contains("status=429") }
        #expect(!throttled.isEmpty, "the storm really happened")
        // The calls are sequential, so each 429 cost at least its one second.
        #expect(elapsed >= .seconds(throttled.count), "\(throttled.count) waits in \(elapsed)")
    }

    @Test("a burst of 503s is retried")
    func serverErrorBurst() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let graph = harness.graph(harness.tokens(harness.tenant.apps.collector))
        _ = try await graph.domains()  // the token first, so the burst hits Graph
        await harness.tenant.injectServerErrorBurst(2)
        let domains = try await graph.domains()
        #expect(domains.count == harness.tenant.world.directory.domains.count)
    }

    @Test("a token expired on the server is replaced after one 401, and the walk goes on")
    func expiredTokenMidPaging() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector)
        let graph = harness.graph(tokens)
        var ids: [String] = []
        var pages = 0
        for try await page in graph.pages("users") {
            pages += 1
            ids += page.items.compactMap { $0["id"]?.stringValue }
            if pages == 1 { await harness.tenant.expireAllTokens() }
        }
        #expect(Set(ids) == (await harness.visibleUserIds()))
        #expect(ids.count == Set(ids).count)
        #expect(await tokens.tokenRequestCount == 2)
    }
}
