import Actions
import Events
import Foundation
import TenantSimulator
import Testing

@Suite("Action worker under throttling", .serialized)
struct ActionWorkerThrottlingTests {
    @Test func aThrottlingStormDelaysCommandsButLosesNoneAndNoRequestComesBeforeItsRetryAfter() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 0.5
        faults.graphRetryAfterSeconds = 1
        let harness = try await ActionHarness.start(faults: faults)
        defer { Task { await harness.stop() } }
        let users = Array(harness.plainUsers.prefix(8))
        let f = harness.factory
        // Two commands per mailbox, so one mailbox's throttling must hold its other command too.
        let commands = users.enumerated().flatMap { index, user in
            [
                f.signed("revoke-\(index)", .revokeSessions, user: user.userPrincipalName),
                f.signed(
                    "second-\(index)", index.isMultiple(of: 2) ? .forcePasswordChange : .confirmCompromised,
                    user: user.userPrincipalName),
            ]
        }
        let outcomes = try await harness.withWorker(harness.policy()) {
            try await harness.client.publish(commands)
            return try await harness.outcomes(of: commands.map(\.commandId), timeout: .seconds(180))
        }
        for command in commands {
            #expect(outcomes[command.commandId]?.status == .succeeded, "\(command.commandId)")
            #expect(await harness.calls(of: command.commandId)?.succeeded == 1, "\(command.commandId) wrote once")
        }
        let requests = await harness.tenant.currentState().requests
        #expect(requests.throttled > 0, "the storm throttled calls")
        #expect(requests.earlyRetries == 0, "no request came before its Retry-After")
        #expect(outcomes.values.contains { $0.attempts > 2 }, "some commands needed more than one try")
    }
}
