import Foundation
import HTTP
import M365
import TenantSimulator
import Testing

@Suite("GraphActions read-backs against the simulator")
struct GraphReadBackTests {
    @Test("every write changes the tenant as Graph would, and the read-backs show it")
    func writesAndReadBacks() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let directory = harness.tenant.world.directory
        let user = try #require(directory.users.first { !$0.isSharedMailbox && !$0.isProtected && !$0.isVIP })

        // The account: disabled, sessions revoked, a password change required.
        let before = await actions.directoryUser(user.userPrincipalName)
        #expect(
            before
                == .found(
                    DirectoryUserFacts(
                        id: user.id, userPrincipalName: user.userPrincipalName, accountEnabled: true,
                        signInSessionsValidFrom: user.createdAt, forceChangePasswordNextSignIn: nil)))
        #expect(await actions.disableAccount(user: user.id).isDone)
        #expect(await actions.revokeSessions(user: user.id).isDone)
        #expect(await actions.forcePasswordChange(user: user.id).isDone)
        let now = await harness.tenant.now()
        let after = try #require(await actions.directoryUser(user.id).value)
        #expect(after.accountEnabled == false)
        #expect(after.signInSessionsValidFrom == now)
        #expect(after.forceChangePasswordNextSignIn == true)

        // Identity Protection: no risk record, then confirmed compromised.
        #expect(await actions.riskState(userId: user.id).isNotFound)
        #expect(await actions.confirmCompromised(userIds: [user.id]).isDone)
        #expect(await actions.riskState(userId: user.id) == .found("confirmedCompromised"))

        // A message moved to junk answers under its new id only; a deleted one not at all.
        let inbox = await harness.busiestInbox()
        let inboxId = try #require(await actions.wellKnownFolderId(mailbox: inbox.userId, name: "inbox").value)
        let junkId = try #require(await actions.wellKnownFolderId(mailbox: inbox.userId, name: "junkemail").value)
        #expect(inboxId != junkId)
        let original = try #require(await actions.message(mailbox: inbox.userId, messageId: inbox.messageIds[0]).value)
        #expect(original.parentFolderId == inboxId)
        let move = await actions.moveMessage(mailbox: inbox.userId, messageId: inbox.messageIds[0], to: .junkEmail)
        guard case .done(let details) = move, let newId = details.newMessageId else {
            Issue.record("move: \(move)")
            return
        }
        #expect(await actions.message(mailbox: inbox.userId, messageId: inbox.messageIds[0]).isNotFound)
        let moved = try #require(await actions.message(mailbox: inbox.userId, messageId: newId).value)
        #expect(moved.id == newId)
        #expect(moved.parentFolderId == junkId)
        #expect(moved.internetMessageId == original.internetMessageId)
        #expect(await actions.deleteMessage(mailbox: inbox.userId, messageId: inbox.messageIds[1]).isDone)
        #expect(await actions.message(mailbox: inbox.userId, messageId: inbox.messageIds[1]).isNotFound)

        // An inbox rule, then none.
        let rule = try #require(harness.tenant.world.timeline.rules.first { $0.createdAt <= now })
        let ruleFacts = try #require(await actions.inboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id).value)
        #expect(ruleFacts.id == rule.id)
        #expect(await actions.removeInboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id).isDone)
        #expect(await actions.inboxRule(mailbox: rule.mailboxUserId, ruleId: rule.id).isNotFound)

        // The simulator's own record of the tenant agrees.
        let state = try await harness.sim("state")
        #expect((state["disabledAccounts"] as? [String: Any])?[user.id] != nil)
        #expect(((state["revokedSessions"] as? [String: Any])?[user.id] as? [String])?.count == 1)
        #expect((state["passwordChangeRequired"] as? [String: Any])?[user.id] != nil)
        #expect((state["confirmedCompromised"] as? [String: Any])?[user.id] != nil)
        let movedState = (state["movedMessages"] as? [String: [String: Any]])?[inbox.messageIds[0]]
        #expect(movedState?["newId"] as? String == newId)
        #expect(movedState?["destination"] as? String == "junkemail")
        #expect((state["deletedMessages"] as? [String: Any])?[inbox.messageIds[1]] != nil)
        #expect((state["removedRules"] as? [String: Any])?[rule.id] != nil)
    }

    @Test("an unknown user is not found, but an unknown mailbox never passes for a gone message")
    func unknownTargets() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        #expect(await actions.directoryUser("nobody@contoso.com").isNotFound)
        #expect(await actions.groups(ofUser: "nobody@contoso.com").isNotFound)
        let message = await actions.message(mailbox: "nobody@contoso.com", messageId: "AAMkADnothing=")
        guard case .failed(let text, let retriable) = message else {
            Issue.record("expected failed, got \(message)")
            return
        }
        #expect(text.contains("mailbox"))
        #expect(!retriable)
    }

    @Test("a long Retry-After on a read is handed back, and a resend before it is seen as early")
    func longRetryAfterOnARead() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 1
        faults.graphRetryAfterSeconds = 120
        let harness = try await Harness.start(faults: faults)
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let user = try #require(harness.tenant.world.directory.users.first)
        let readId = GraphRequestID.forCommand("command-1#read-back")
        let started = ContinuousClock.now
        #expect(await actions.directoryUser(user.id, requestId: readId) == .throttled(retryAfter: .seconds(120)))
        #expect(started.duration(to: .now) < .seconds(60), "not waited out inline")
        var entry = try #require(try await harness.ledger(readId))
        #expect(entry["throttled"] as? Int == 1)
        #expect(entry["earlyRetries"] as? Int == 0)
        // A worker that ignored the answer and read again at once would be caught.
        _ = await actions.directoryUser(user.id, requestId: readId)
        entry = try #require(try await harness.ledger(readId))
        #expect(entry["earlyRetries"] as? Int == 1)
    }
}

@Suite("GraphActions group memberships against the simulator")
struct GraphGroupReadBackTests {
    @Test("an executive is in Executives, a break-glass account in its group and the nesting one, all pages read")
    func groupsOfUsers() async throws {
        // One group per page, so every membership list of two or more is paged.
        let harness = try await Harness.start(Harness.configuration(graphPageSize: 1))
        defer { Task { await harness.stop() } }
        let actions = harness.actions(harness.tokens(harness.tenant.apps.actions))
        let info = try await harness.sim("info")
        let groups = try #require(info["groups"] as? [[String: Any]])
        func group(_ name: String) throws -> [String: Any] {
            try #require(groups.first { $0["displayName"] as? String == name })
        }
        let executive = try #require((try group("Executives")["members"] as? [String])?.first)
        let executives = await actions.groups(ofUser: executive)
        #expect(executives.value?.map(\.displayName) == ["Executives"])
        #expect(executives.value?.map(\.id) == [try group("Executives")["id"] as? String].compactMap { $0 })

        let glass = try #require((try group("Break Glass Accounts")["members"] as? [String])?.first)
        let readId = GraphRequestID.forCommand("command-2#groups")
        let glassGroups = await actions.groups(ofUser: glass, requestId: readId)
        #expect(glassGroups.value?.map(\.displayName) == ["Break Glass Accounts", "Privileged Accounts"])
        let entry = try #require(try await harness.ledger(readId))
        #expect(entry["attempts"] as? Int == 2, "two pages, each carrying the read's id")

        let admins = try #require(try group("IT Admins")["members"] as? [String])
        #expect(admins.count == 3)
        for admin in admins {
            #expect(
                await actions.groups(ofUser: admin).value?.map(\.displayName) == ["IT Admins", "Privileged Accounts"])
        }
        let member = Set(groups.flatMap { $0["transitiveMembers"] as? [String] ?? [] })
        let ordinary = try #require(
            harness.tenant.world.directory.users.first { !$0.isSharedMailbox && !member.contains($0.userPrincipalName) }
        )
        #expect(await actions.groups(ofUser: ordinary.id) == .found([]))
    }

    @Test("an app that may read users but not groups is told which permission it lacks")
    func groupsNeedGroupMemberReadAll() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let collector = harness.actions(harness.tokens(harness.tenant.apps.collector))
        let executive = try #require(harness.tenant.world.directory.users.first { $0.isVIP })
        let result = await collector.groups(ofUser: executive.id)
        guard case .forbidden(let permission, let message) = result else {
            Issue.record("expected forbidden, got \(result)")
            return
        }
        #expect(permission == "GroupMember.Read.All")
        #expect(message.contains("without their names"))
    }
}

extension ReadBack {
    var isNotFound: Bool {
        if case .notFound = self { true } else { false }
    }
}
