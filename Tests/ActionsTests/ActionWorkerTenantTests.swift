import Actions
import Events
import Foundation
import HTTP
import M365
import TenantSimulator
import Testing

/// The action worker on Kafka against the simulated tenant: what each action does to the tenant,
/// seen through the simulator's own state and Graph's read-backs.
@Suite("Action worker against the tenant", .serialized)
struct ActionWorkerTenantTests {
    @Test func eachActionChangesTheTenantExactlyAsGraphWouldAndOnce() async throws {
        let harness = try await ActionHarness.start()
        defer { Task { await harness.stop() } }
        let now = Date()
        let timeline = harness.tenant.world.timeline
        let users = harness.plainUsers
        let rule = try #require(timeline.rules.first { $0.createdAt < now })
        let inbox = timeline.messages.filter { $0.receivedDateTime < now && $0.folder == "inbox" }
        let moved = try #require(inbox.first)
        let deleted = try #require(inbox.first { $0.mailboxUserId != moved.mailboxUserId })
        let f = harness.factory
        let commands = [
            f.signed(
                "remove-rule", .removeInboxRule, user: harness.user(rule.mailboxUserId).userPrincipalName,
                ruleId: rule.id),
            f.signed("disable", .disableAccount, user: users[0].userPrincipalName),
            f.signed("revoke", .revokeSessions, user: users[1].userPrincipalName),
            f.signed(
                "junk", .moveMessageToJunk, user: harness.user(moved.mailboxUserId).userPrincipalName,
                messageId: moved.id),
            f.signed(
                "delete", .deleteMessage, user: harness.user(deleted.mailboxUserId).userPrincipalName,
                messageId: deleted.id),
            f.signed("password", .forcePasswordChange, user: users[2].userPrincipalName),
            f.signed("confirm", .confirmCompromised, user: users[3].userPrincipalName),
            f.signed("warn", .warnUser, user: users[4].userPrincipalName),
            f.signed("dry", .disableAccount, user: users[5].userPrincipalName, dryRun: true),
        ]
        let sender = users[6].userPrincipalName
        let outcomes = try await harness.withWorker(harness.policy { $0.warningMail.sender = sender }) {
            try await harness.client.publish(commands)
            return try await harness.outcomes(of: commands.map(\.commandId))
        }
        for command in commands where command.commandId != "dry" {
            let outcome = outcomes[command.commandId]
            #expect(outcome?.status == .succeeded, "\(command.commandId): \(outcome?.detail ?? "no outcome")")
            let calls = await harness.calls(of: command.commandId)
            #expect(calls?.succeeded == 1, "\(command.commandId) wrote once: \(String(describing: calls))")
        }
        let state = await harness.tenant.currentState()
        #expect(state.removedRules[rule.id] != nil)
        #expect(state.disabledAccounts[users[0].id] != nil)
        #expect(state.revokedSessions[users[1].id]?.count == 1)
        #expect(state.movedMessages[moved.id]?.destination == "junkemail")
        #expect(state.movedMessages[moved.id]?.newId == outcomes["junk"]?.newMessageId)
        #expect(state.deletedMessages[deleted.id] != nil)
        #expect(state.passwordChangeRequired[users[2].id] != nil)
        #expect(state.confirmedCompromised[users[3].id] != nil)
        #expect(state.sentMail.contains { $0.to == [users[4].userPrincipalName] })
        // The simulator's inspection API, over HTTP, says the same.
        let inspection = try await harness.http.execute(HTTPRequest(url: harness.server.baseURL + "/sim/state"))
        let document = try #require(try JSONSerialization.jsonObject(with: inspection.body) as? [String: Any])
        #expect((document["disabledAccounts"] as? [String: Any])?[users[0].id] != nil)
        #expect((document["revokedSessions"] as? [String: Any])?[users[1].id] != nil)
        #expect((document["removedRules"] as? [String: Any])?[rule.id] != nil)
        let move = (document["movedMessages"] as? [String: Any])?[moved.id] as? [String: Any]
        #expect(move?["newId"] as? String == outcomes["junk"]?.newMessageId)
        // What Graph shows afterwards.
        let graph = harness.graphActions()
        #expect(await graph.directoryUser(users[0].id).value?.accountEnabled == false)
        if case .notFound = await graph.inboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id) {
        } else {
            Issue.record("the removed rule still answers")
        }
        let newId = try #require(outcomes["junk"]?.newMessageId)
        let junk = await graph.wellKnownFolderId(mailbox: moved.mailboxUserId, name: "junkemail").value
        #expect(await graph.message(mailbox: moved.mailboxUserId, messageId: newId).value?.parentFolderId == junk)
        #expect(await graph.riskState(userId: users[3].id).value == "confirmedCompromised")
        // The dry run says what it would do and changes nothing.
        #expect(outcomes["dry"]?.status == .dryRun)
        #expect(outcomes["dry"]?.detail.contains("would disable the account") == true)
        #expect(await harness.calls(of: "dry") == nil)
        #expect(state.disabledAccounts[users[5].id] == nil)
    }

    @Test func aRuleAlreadyGoneIsSuccessAndACommandPublishedAgainIsAnsweredFromTheRecord() async throws {
        let harness = try await ActionHarness.start()
        defer { Task { await harness.stop() } }
        let rule = try #require(harness.tenant.world.timeline.rules.first { $0.createdAt < Date() })
        let upn = harness.user(rule.mailboxUserId).userPrincipalName
        let first = harness.factory.signed("first", .removeInboxRule, user: upn, ruleId: rule.id)
        let second = harness.factory.signed("second", .removeInboxRule, user: upn, ruleId: rule.id)
        let outcomes = try await harness.withWorker(harness.policy()) {
            try await harness.client.publish([first, first])
            _ = try await harness.outcomes(of: ["first"])
            try await harness.client.publish([second, first])
            return try await harness.outcomes(of: ["first", "second"])
        }
        #expect(outcomes["first"]?.code == "done")
        #expect(outcomes["second"]?.status == .succeeded)
        #expect(outcomes["second"]?.code == "alreadyDone")
        #expect(await harness.calls(of: "first")?.attempts == 1)
        let records = try await harness.outcomeRecords().filter { $0.commandId == "first" }
        #expect(
            records.map(\.status) == [.accepted, .succeeded], "one intent and one outcome, however often it is read")
    }
}
