import Foundation
import HTTP
import M365
import TenantSimulator
import Testing

@Suite("GraphActions against the simulator")
struct GraphActionsTests {
    @Test("every action runs once (one counted write each) and reports its outcome")
    func eachActionOnce() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let inbox = await harness.busiestInbox()
        let now = await harness.tenant.now()
        let rule = try #require(harness.tenant.world.timeline.rules.first { $0.createdAt <= now })
        let user = try #require(harness.tenant.world.directory.users.last)

        /// Runs an action and checks that it made exactly one write call.
        func once(_ name: String, _ action: () async -> ActionResult) async -> ActionResult {
            let before = await harness.totalWrites()
            let result = await action()
            let after = await harness.totalWrites()
            #expect(after - before == 1, "\(name) made \(after - before) write calls")
            return result
        }

        let move = await once("move") {
            await actions.moveMessage(mailbox: inbox.userId, messageId: inbox.messageIds[0], to: .junkEmail)
        }
        guard case .done(let details) = move else {
            Issue.record("move: \(move)")
            return
        }
        #expect(details.newMessageId != nil && details.newMessageId != inbox.messageIds[0])
        #expect(details.httpStatus == 201)

        let toDelete = inbox.messageIds[1]
        #expect(await once("delete") { await actions.deleteMessage(mailbox: inbox.userId, messageId: toDelete) }.isDone)
        let deletedAgain = await once("delete again") {
            await actions.deleteMessage(mailbox: inbox.userId, messageId: toDelete)
        }
        #expect(deletedAgain.isAlreadyDone)

        #expect(
            await once("remove rule") { await actions.removeInboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id) }
                .isDone)
        let removedAgain = await once("remove rule again") {
            await actions.removeInboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id)
        }
        #expect(removedAgain.isAlreadyDone)

        #expect(await once("disable") { await actions.disableAccount(user: user.id) }.isDone)
        #expect(await once("revoke") { await actions.revokeSessions(user: user.id) }.isDone)
        #expect(await once("force password change") { await actions.forcePasswordChange(user: user.id) }.isDone)
        #expect(await once("confirm compromised") { await actions.confirmCompromised(userIds: [user.id]) }.isDone)
        let warning = await once("warn") {
            await actions.sendWarningMail(
                from: user.userPrincipalName, to: [user.userPrincipalName], subject: "Security notice",
                body: "We blocked a suspicious sign-in to your account.")
        }
        #expect(warning.isDone)

        let state = await harness.tenant.currentState()
        #expect(state.disabledAccounts[user.id] != nil)
        #expect(state.revokedSessions[user.id]?.count == 1)
        #expect(state.passwordChangeRequired[user.id] != nil)
        #expect(state.confirmedCompromised[user.id] != nil)
        #expect(state.removedRules[rule.id] != nil)
        #expect(state.sentMail.count == 1)
        #expect(state.movedMessages[inbox.messageIds[0]]?.destination == "junkemail")
        typealias Endpoint = GraphAPI.WriteEndpoint
        #expect((await harness.writes(Endpoint.moveMessage, inbox.messageIds[0])) == 1)
        #expect((await harness.writes(Endpoint.revokeSignInSessions, user.id)) == 1)
        #expect((await harness.writes(Endpoint.confirmCompromised, user.id)) == 1)
        #expect((await harness.writes(Endpoint.sendMail, user.id)) == 1)
        // Disable and force-password-change are both `PATCH users/{id}`.
        #expect((await harness.writes(Endpoint.updateUser, user.id)) == 2)

        let missing = await once("move a missing message") {
            await actions.moveMessage(mailbox: inbox.userId, messageId: "AAMkADdoesnotexist=", to: .deletedItems)
        }
        #expect(missing.isNotFound)
        let noUser = await once("disable a missing user") {
            await actions.disableAccount(user: "00000000-0000-0000-0000-000000000001")
        }
        #expect(noUser.isNotFound)
    }

    @Test("a long Retry-After is handed back as throttled, not waited out")
    func longRetryAfter() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 1
        faults.graphRetryAfterSeconds = 120
        let harness = try await Harness.start(faults: faults)
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let user = try #require(harness.tenant.world.directory.users.first)
        let result = await actions.revokeSessions(user: user.id)
        #expect(result == .throttled(retryAfter: .seconds(120)))
        #expect(await harness.totalWrites() == 0, "throttled before Graph acted")
    }

    @Test("clearing Set-Mailbox forwarding honestly says it is not implemented")
    func exchangeForwarding() async {
        let adapter: any MailboxForwardingAdapter = ExchangeAdminForwarding()
        let result = await adapter.clearForwarding(mailbox: "user@contoso.com")
        guard case .failed(let message, let retriable) = result else {
            Issue.record("expected failed, got \(result)")
            return
        }
        #expect(message.contains("Exchange Online admin API"))
        #expect(message.contains("not implemented"))
        #expect(!retriable)
    }
}

extension ActionResult {
    var isDone: Bool {
        if case .done = self { true } else { false }
    }

    var isAlreadyDone: Bool {
        if case .alreadyDone = self { true } else { false }
    }

    var isNotFound: Bool {
        if case .notFound = self { true } else { false }
    }
}
