import Actions
import Events
import Foundation
import InboxwatchTestSupport
import Testing

/// `inboxwatch remediate` and `inboxwatch outcomes` as an analyst runs them, against a worker.
@Suite("Analyst remediation commands", .serialized)
struct AnalystCLITests {
    @Test func remediateSignsPublishesAndWaitsForTheOutcomeAndApprovesAHeldCommand() async throws {
        let harness = try await ActionHarness.start()
        defer { Task { await harness.stop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("remediate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("sam.key")
        try Data(harness.factory.trustedPrivateKey.utf8).write(to: key)
        let binary = try InboxwatchBinary.locate()
        let users = harness.plainUsers
        let common = [
            "--bootstrap-servers", harness.broker.bootstrapServers, "--signing-key", key.path, "--key-id",
            "analyst-sam", "--analyst", "sam@contoso.com", "--log-level", "error",
        ]
        @Sendable func run(_ arguments: [String], _ name: String) async throws -> (Int32, String) {
            let log = directory.appendingPathComponent("\(name).log")
            let child = try ChildProcess(binary, arguments, environment: [:], log: log)
            let status = await child.waitForExit()
            return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        let policy = harness.policy { $0.capsPerHour[.disableAccount] = 0 }
        let (revoked, held, approved, listed) = try await harness.withWorker(policy) {
            let revoked = try await run(
                [
                    "remediate", "--tenant", harness.tenantId, "--user", users[0].userPrincipalName, "--action",
                    "revoke-sessions", "--story", "story-42", "--reason", "impossible travel",
                ] + common, "revoke")
            let held = try await run(
                [
                    "remediate", "--tenant", harness.tenantId, "--user", users[1].userPrincipalName, "--action",
                    "disable-account",
                ] + common, "disable")
            let heldId = try #require(
                held.1.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("command-") }.map(String.init))
            let approved = try await run(["remediate", "--approve", heldId] + common, "approve")
            let listed = try await run(
                ["outcomes", "--bootstrap-servers", harness.broker.bootstrapServers, "--log-level", "error"], "list")
            return (revoked, held, approved, listed)
        }
        #expect(revoked.0 == 0, "\(revoked.1)")
        #expect(revoked.1.contains("succeeded revokeSessions \(users[0].userPrincipalName)"))
        #expect(revoked.1.contains("story story-42"))
        #expect(held.0 == 3, "held for approval exits 3: \(held.1)")
        #expect(held.1.contains("held disableAccount"))
        #expect(approved.0 == 0, "\(approved.1)")
        #expect(approved.1.contains("succeeded approve"))
        #expect(await harness.tenant.currentState().disabledAccounts[users[1].id] != nil)
        #expect(listed.1.contains("approved by sam@contoso.com"), "\(listed.1)")
        #expect(listed.1.contains("3 commands"))
        // A command for a user that does not exist fails, named, with exit status 1.
        let unknown = try await harness.withWorker(harness.policy()) {
            try await run(
                [
                    "remediate", "--tenant", harness.tenantId, "--user", "nobody@\(harness.directory.defaultDomain)",
                    "--action", "revoke-sessions",
                ] + common, "unknown")
        }
        #expect(unknown.0 == 1)
        #expect(unknown.1.contains("failed revokeSessions"))
        #expect(unknown.1.contains("does not exist"))
    }

    @Test func remediateRefusesAnIncompleteCommandBeforeConnecting() async throws {
        let binary = try InboxwatchBinary.locate()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("remediate-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try ChildProcess(
            binary,
            [
                "remediate", "--bootstrap-servers", "127.0.0.1:1", "--tenant", "t", "--user", "u@contoso.com",
                "--action", "remove-inbox-rule", "--signing-key", "/nonexistent", "--key-id", "k", "--analyst", "a",
            ], environment: [:], log: log)
        #expect(await child.waitForExit() != 0)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("--action remove-inbox-rule needs --rule-id"), "\(text)")
    }
}
