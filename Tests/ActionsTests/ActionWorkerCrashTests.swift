import Actions
import Events
import Foundation
import InboxwatchTestSupport
import TenantSimulator
import Testing

/// `inboxwatch act` as a separate process, killed with SIGKILL at random moments while Graph
/// answers slowly (so kills land between an intent and its outcome), and restarted; every
/// command is published three times. The broker and the tenant live in this process.
@Suite("Action worker killed and restarted", .serialized)
struct ActionWorkerCrashTests {
    static let kills = 4

    @Test func everyCommandIsCarriedOutExactlyOnceWithOneFinalOutcomeThroughKillsAndDuplicates() async throws {
        var faults = FaultPlan()
        faults.slowResponseFraction = 0.5
        faults.slowResponseSeconds = 0.4
        let harness = try await ActionHarness.start(users: 60, faults: faults)
        defer { Task { await harness.stop() } }
        let commands = try Self.commands(harness)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("act-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let arguments = try Self.arguments(harness, in: directory)
        let binary = try InboxwatchBinary.locate()
        let environment = ["SIM_SECRET": harness.tenant.apps.actions.clientSecret]
        var random = SystemRandomNumberGenerator()
        try await harness.client.publish(commands)
        var finalsAtKill: [Int] = []
        for round in 0..<Self.kills {
            let child = try ChildProcess(
                binary, arguments, environment: environment, log: directory.appendingPathComponent("run-\(round).log"))
            // Kill once it is calling Graph: after it has restored its memory and started on commands.
            try await child.waitForLog("outcomes restored", seconds: 60)
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1500, using: &random)))
            child.kill(SIGKILL)
            await child.waitForExit()
            // Each command again, while the worker is down: duplicates of finished and unfinished ones.
            if round < 2 { try await harness.client.publish(commands.shuffled(using: &random)) }
            finalsAtKill.append(try await harness.outcomeRecords().count { $0.status.isFinal })
        }
        let final = try ChildProcess(
            binary, arguments, environment: environment, log: directory.appendingPathComponent("final.log"))
        let outcomes = try await harness.outcomes(of: commands.map(\.commandId), timeout: .seconds(180))
        final.kill(SIGTERM)
        #expect(await final.waitForExit() == 0, "SIGTERM stops the worker cleanly (see \(directory.path))")

        let records = try await harness.outcomeRecords()
        for command in commands {
            let id = command.commandId
            let finals = records.filter { $0.commandId == id && $0.status.isFinal }
            #expect(finals.count == 1, "\(id): \(finals.map(\.status)) final records")
            #expect(outcomes[id]?.status == .succeeded, "\(id): \(outcomes[id]?.detail ?? "no outcome")")
            let calls = await harness.calls(of: id)
            #expect(calls?.succeeded == 1, "\(id) wrote \(calls?.succeeded ?? 0) times (\(calls?.statuses ?? []))")
        }
        let recovered = outcomes.values.count { $0.code == "alreadyDone" }
        print(
            "action worker crash test: \(Self.kills) SIGKILLs (final outcomes at each: \(finalsAtKill)), "
                + "\(commands.count) commands published 3 times, \(recovered) finished by reading back after a kill")
        #expect(finalsAtKill.first ?? 0 < commands.count, "the first kill came before every command was done")
        try? FileManager.default.removeItem(at: directory)
    }

    /// Thirty commands on distinct targets, every kind whose effect Graph lets us read back.
    static func commands(_ harness: ActionHarness) throws -> [RemediationCommand] {
        let f = harness.factory
        let now = Date()
        let users = harness.plainUsers
        let timeline = harness.tenant.world.timeline
        let inbox = timeline.messages.filter { $0.receivedDateTime < now && $0.folder == "inbox" }
        var commands: [RemediationCommand] = []
        let kinds: [RemediationCommand.Action] = [
            .revokeSessions, .disableAccount, .forcePasswordChange, .confirmCompromised,
        ]
        for (index, user) in users.prefix(20).enumerated() {
            commands.append(
                f.signed("user-\(index)", kinds[index % kinds.count], user: user.userPrincipalName, lifetime: 1800))
        }
        var mailboxes = Set<String>()
        for message in inbox where mailboxes.insert(message.mailboxUserId).inserted && mailboxes.count <= 6 {
            let upn = harness.user(message.mailboxUserId).userPrincipalName
            let action: RemediationCommand.Action =
                mailboxes.count.isMultiple(of: 2) ? .deleteMessage : .moveMessageToJunk
            commands.append(f.signed("message-\(mailboxes.count)", action, user: upn, messageId: message.id))
        }
        for (index, rule) in timeline.rules.filter({ $0.createdAt < now }).prefix(4).enumerated() {
            let upn = harness.user(rule.mailboxUserId).userPrincipalName
            commands.append(f.signed("rule-\(index)", .removeInboxRule, user: upn, ruleId: rule.id))
        }
        guard commands.count >= 28 else { throw HarnessError("the world has too few targets: \(commands.count)") }
        return commands
    }

    static func arguments(_ harness: ActionHarness, in directory: URL) throws -> [String] {
        let policy = directory.appendingPathComponent("policy.json")
        let key = directory.appendingPathComponent("analyst.pub")
        let caps = RemediationCommand.Action.allCases.filter(\.changesTenant).map { "\"\($0.rawValue)\": 1000" }
        try Data(
            """
            {"mode": "enforce", "tenants": ["\(harness.tenantId)"],
             "allowedActions": ["revokeSessions", "disableAccount", "forcePasswordChange", "confirmCompromised",
                                "moveMessageToJunk", "deleteMessage", "removeInboxRule"],
             "capsPerHour": {\(caps.joined(separator: ", "))}}
            """.utf8
        ).write(to: policy)
        try Data(harness.factory.trustedPublicKey.utf8).write(to: key)
        return [
            "act", "--bootstrap-servers", harness.broker.bootstrapServers, "--policy", policy.path,
            "--trusted-key", "analyst-sam=\(key.path)", "--tenant", harness.tenantId,
            "--client-id", harness.tenant.apps.actions.clientId, "--client-secret-env", "SIM_SECRET",
            "--simulator", harness.server.baseURL, "--property", "session.timeout.ms=6000",
            "--property", "heartbeat.interval.ms=500", "--log-level", "info",
        ]
    }
}
