import Foundation
import Testing

@testable import TenantSimulator

/// After each write, the reads a worker checks a target with show what Graph would show.
@Suite struct ReadBackAPITests {
    static let userSelect = "id,userPrincipalName,accountEnabled,signInSessionsValidFromDateTime,passwordProfile"

    @Test func aUserReadBackShowsDisablingRevocationAndARequiredPasswordChange() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let user = try #require(session.world.directory.users.first { !$0.isSharedMailbox && !$0.isProtected })
        let path = "/v1.0/users/\(user.userPrincipalName)"

        let plain = try #require(try await session.graph("GET", path).object)
        #expect(plain["passwordProfile"] == nil && plain["signInSessionsValidFromDateTime"] == nil, "$select only")
        let before = try #require(try await session.graph("GET", path + "?$select=" + Self.userSelect).object)
        let selected = Set(Self.userSelect.split(separator: ",").map(String.init))
        #expect(Set(before.keys) == selected.union(["@odata.context"]))
        #expect(before["accountEnabled"] as? Bool == true)
        #expect(before["signInSessionsValidFromDateTime"] as? String == SimTime.graphTime(user.createdAt))
        #expect(before["passwordProfile"] is NSNull, "null until a change is required, as Entra shows it")

        #expect(try await session.graph("PATCH", path, json: #"{"accountEnabled":false}"#).status == 204)
        #expect(try await session.graph("POST", path + "/revokeSignInSessions", json: "{}").status == 200)
        let force = #"{"passwordProfile":{"forceChangePasswordNextSignIn":true}}"#
        #expect(try await session.graph("PATCH", path, json: force).status == 204)

        let now = await session.tenant.now()
        let after = try #require(try await session.graph("GET", path + "?$select=" + Self.userSelect).object)
        #expect(after["id"] as? String == user.id)
        #expect(after["accountEnabled"] as? Bool == false)
        #expect(after["signInSessionsValidFromDateTime"] as? String == SimTime.graphTime(now))
        let profile = try #require(after["passwordProfile"] as? [String: Any])
        #expect(profile["forceChangePasswordNextSignIn"] as? Bool == true)
        #expect(profile["forceChangePasswordNextSignInWithMfa"] as? Bool == false)
        #expect(profile.keys.contains("password") && profile["password"] is NSNull, "never the password")
    }

    @Test func aMovedMessageAnswersUnderItsNewIdInJunkAndNeitherIdAfterADelete() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let now = await session.tenant.now()
        let message = try #require(
            session.world.timeline.messages.first { $0.folder.lowercased() == "inbox" && $0.receivedDateTime <= now })
        let mailbox = "/v1.0/users/\(message.mailboxUserId)"
        let inbox = try #require(try await session.graph("GET", mailbox + "/mailFolders/inbox").object)
        let junk = try #require(try await session.graph("GET", mailbox + "/mailFolders/JunkEmail").object)
        #expect(junk["displayName"] as? String == "Junk Email")
        let junkId = try #require(junk["id"] as? String)
        let junkCount = try #require(junk["totalItemCount"] as? Int)
        let original = try #require(try await session.graph("GET", mailbox + "/messages/\(message.id)").object)
        #expect(original["parentFolderId"] as? String == inbox["id"] as? String)

        let moved = try await session.graph(
            "POST", mailbox + "/messages/\(message.id)/move", json: #"{"destinationId":"junkemail"}"#)
        #expect(moved.status == 201)
        let newId = try #require(moved.object?["id"] as? String)
        let old = try await session.graph("GET", mailbox + "/messages/\(message.id)")
        #expect(old.status == 404)
        #expect(old.errorCode == "ErrorItemNotFound")
        let current = try #require(try await session.graph("GET", mailbox + "/messages/\(newId)").object)
        #expect(current["parentFolderId"] as? String == junkId)
        #expect(current["internetMessageId"] as? String == message.internetMessageId)
        // The folder's id is the same whichever way it is named, and it now holds the message.
        let byId = try #require(try await session.graph("GET", mailbox + "/mailFolders/\(junkId)").object)
        #expect(byId["id"] as? String == junkId)
        #expect(byId["totalItemCount"] as? Int == junkCount + 1)

        #expect(try await session.graph("DELETE", mailbox + "/messages/\(newId)").status == 204)
        let deleted = try await session.graph("GET", mailbox + "/messages/\(newId)")
        #expect(deleted.status == 404)
        #expect(deleted.errorCode == "ErrorItemNotFound")
    }

    @Test func aRemovedRuleAnswers404() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let now = await session.tenant.now()
        let rule = try #require(session.world.timeline.rules.first { $0.createdAt <= now })
        let path = "/v1.0/users/\(rule.mailboxUserId)/mailFolders/inbox/messageRules/\(rule.id)"
        #expect(try await session.graph("GET", path).object?["id"] as? String == rule.id)
        #expect(try await session.graph("DELETE", path).status == 204)
        let gone = try await session.graph("GET", path)
        #expect(gone.status == 404)
        #expect(gone.errorCode == "ErrorItemNotFound")
    }

    @Test func aConfirmedUserIsConfirmedCompromisedAtHighRisk() async throws {
        let session = try await ActionAppSession.start()
        defer { Task { await session.stop() } }
        let user = try #require(session.world.directory.users.first { !$0.isSharedMailbox && !$0.isProtected })
        let body = #"{"userIds":["\#(user.id)"]}"#
        #expect(
            try await session.graph("POST", "/v1.0/identityProtection/riskyUsers/confirmCompromised", json: body)
                .status == 204)
        let risk = try #require(
            try await session.graph("GET", "/v1.0/identityProtection/riskyUsers/\(user.id)").object)
        #expect(risk["riskState"] as? String == "confirmedCompromised")
        #expect(risk["riskLevel"] as? String == "high")
    }
}
