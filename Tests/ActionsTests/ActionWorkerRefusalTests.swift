import Actions
import Events
import Foundation
import Testing

/// Commands that must never reach Graph: each gets its outcome, the tenant counts no write for
/// it, and the refused ones are dead-lettered with the reason.
@Suite("Action worker refusals", .serialized)
struct ActionWorkerRefusalTests {
    @Test func forgedUnsignedReplayedExpiredForeignNotAllowedProtectedAndCappedCommandsNeverReachGraph() async throws {
        let harness = try await ActionHarness.start()
        defer { Task { await harness.stop() } }
        let users = harness.plainUsers
        let f = harness.factory
        let breakGlass = try #require(harness.directory.groups.first { $0.displayName == "Break Glass Accounts" })
        let guarded = harness.user(try #require(breakGlass.memberUserIds.first))
        var forged = f.signed("forged", user: users[0].userPrincipalName)
        forged.target.user = users[1].userPrincipalName
        let refused: [(RemediationCommand, RemediationOutcome.Status, String)] = [
            (forged, .rejected, "forged"),
            (f.unsigned("unsigned", user: users[0].userPrincipalName), .rejected, "unsigned"),
            (try f.untrusted.sign(f.unsigned("untrusted", user: users[0].userPrincipalName)), .rejected, "forged"),
            (f.signed("replayed", user: users[2].userPrincipalName, nonce: "nonce-valid"), .rejected, "replayed"),
            (f.signed("expired", user: users[0].userPrincipalName, issued: -7200), .expired, "expired"),
            (
                f.signed("foreign", user: users[0].userPrincipalName, tenant: "another-tenant"), .rejected,
                "unknownTenant"
            ),
            (f.signed("not-allowed", .forcePasswordChange, user: users[0].userPrincipalName), .rejected, "notAllowed"),
            (
                f.signed("protected", .disableAccount, user: users[3].userPrincipalName.uppercased()), .skipped,
                "protected"
            ),
            (f.signed("group", .revokeSessions, user: guarded.userPrincipalName), .skipped, "protected"),
            (f.signed("capped", .disableAccount, user: users[5].userPrincipalName), .held, "cap"),
        ]
        let valid = f.signed("valid", user: users[2].userPrincipalName, nonce: "nonce-valid")
        let firstDisable = f.signed("first-disable", .disableAccount, user: users[4].userPrincipalName)
        let policy = harness.policy {
            $0.allowedActions.remove(.forcePasswordChange)
            $0.protectedUsers = [users[3].userPrincipalName.lowercased()]
            $0.protectedGroups = ["break glass accounts"]
            $0.capsPerHour[.disableAccount] = 1
        }
        let approval = f.signed("approval", .approve, user: users[5].userPrincipalName, approves: "capped")
        let (outcomes, calls, released) = try await harness.withWorker(policy) {
            try await harness.client.publish([valid, firstDisable])
            _ = try await harness.outcomes(of: ["valid", "first-disable"])
            try await harness.client.publish(refused.map(\.0))
            let outcomes = try await harness.outcomes(of: refused.map(\.0.commandId))
            var calls: [String: Int] = [:]
            for (command, _, _) in refused {
                calls[command.commandId] = await harness.calls(of: command.commandId)?.attempts ?? 0
            }
            try await harness.client.publish([approval])
            return (outcomes, calls, try await harness.outcomes(of: ["approval", "capped"], heldIsFinal: false))
        }
        for (command, status, code) in refused {
            let outcome = outcomes[command.commandId]
            #expect(outcome?.status == status, "\(command.commandId): \(outcome?.detail ?? "no outcome")")
            #expect(outcome?.code == code, "\(command.commandId)")
            #expect(calls[command.commandId] == 0, "\(command.commandId) never reached Graph")
        }
        #expect(outcomes["capped"]?.heldCommand?.commandId == "capped")
        let state = await harness.tenant.currentState()
        #expect(state.revokedSessions[users[1].id] == nil, "the forged command's target was left alone")
        #expect(state.disabledAccounts[users[3].id] == nil)
        #expect(state.revokedSessions[guarded.id] == nil)
        // Refusals for cause are dead-lettered with the reason; skips and holds are decisions, not errors.
        let letters = try await harness.records(harness.catalog.deadLetter)
        let decoder = BoundedJSONDecoder()
        let reasons = try letters.map {
            try decoder.decodeValue(DeadLetterRecord.self, from: $0.value ?? []).errorClass
        }
        #expect(
            reasons.sorted() == ["expired", "forged", "forged", "notAllowed", "replayed", "unknownTenant", "unsigned"])
        // The analyst's approval releases the held command beyond the cap, once.
        #expect(released["approval"]?.status == .succeeded)
        #expect(released["capped"]?.status == .succeeded)
        #expect(released["capped"]?.approvedBy?.contains("approval approval") == true)
        #expect(await harness.calls(of: "capped")?.succeeded == 1)
        #expect(await harness.tenant.currentState().disabledAccounts[users[5].id] != nil)
    }
}
