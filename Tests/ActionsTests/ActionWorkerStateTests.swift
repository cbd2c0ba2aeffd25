import Actions
import Events
import Foundation
import Testing

/// The worker's decisions, driven with a test clock and no I/O.
@Suite struct ActionWorkerStateTests {
    let factory = CommandFactory()
    var now: Date { factory.epoch.addingTimeInterval(10) }

    func state(_ policy: ActionPolicy = CommandFactory.enforcing()) -> ActionWorkerState {
        ActionWorkerState(policy: policy, verifier: factory.verifier)
    }

    func source(_ offset: Int64, partition: Int32 = 0) -> ActionJob.Source {
        ActionJob.Source(partition: partition, offset: offset)
    }

    /// The single outcome a decision publishes, and whether it dead-letters the command.
    func published(_ steps: [ActionWorkerState.Step]) -> (RemediationOutcome?, ActionWorkerState.DeadLetterNote?) {
        guard case .publish(let outcomes, let deadLetter)? = steps.first else { return (nil, nil) }
        return (outcomes.first, deadLetter)
    }

    @Test func aSignedAllowedCommandBecomesAJobAndNothingIsPublishedYet() {
        var state = state()
        let steps = state.receive(factory.signed("c1"), source: source(0), now: now, killSwitch: false)
        #expect(steps.isEmpty)
        let jobs = state.due(now: now)
        #expect(jobs.map(\.commandId) == ["c1"])
        #expect(jobs.first?.mode == .execute)
    }

    @Test func aDryRunPolicyOrADryRunCommandRunsAsADryRun() {
        var dry = state(CommandFactory.enforcing { $0.mode = .dryRun })
        _ = dry.receive(factory.signed("c1"), source: source(0), now: now, killSwitch: false)
        #expect(dry.due(now: now).first?.mode == .dryRun)
        var enforcing = state()
        _ = enforcing.receive(factory.signed("c2", dryRun: true), source: source(0), now: now, killSwitch: false)
        #expect(enforcing.due(now: now).first?.mode == .dryRun)
    }

    @Test(arguments: ["unsigned", "forged", "untrusted", "tenant", "expired", "future", "lifetime", "notAllowed"])
    func aCommandThatMustNotRunIsRefusedDeadLetteredAndNeverBecomesAJob(_ kind: String) {
        var state = state(CommandFactory.enforcing { $0.allowedActions.remove(.disableAccount) })
        let command: RemediationCommand
        let expected: (RemediationOutcome.Status, String)
        switch kind {
        case "unsigned":
            command = factory.unsigned("c1")
            expected = (.rejected, "unsigned")
        case "forged":
            var altered = factory.signed("c1")
            altered.target.user = "ceo@contoso.com"
            command = altered
            expected = (.rejected, "forged")
        case "untrusted":
            command = try! factory.untrusted.sign(factory.unsigned("c1"))
            expected = (.rejected, "forged")
        case "tenant":
            command = factory.signed("c1", tenant: "other-tenant")
            expected = (.rejected, "unknownTenant")
        case "expired":
            command = factory.signed("c1", lifetime: 5)
            expected = (.expired, "expired")
        case "future":
            command = factory.signed("c1", issued: 3600)
            expected = (.rejected, "notYetValid")
        case "lifetime":
            command = factory.signed("c1", lifetime: 3 * 86400)
            expected = (.rejected, "lifetimeTooLong")
        default:
            command = factory.signed("c1", .disableAccount)
            expected = (.rejected, "notAllowed")
        }
        let (outcome, deadLetter) = published(state.receive(command, source: source(0), now: now, killSwitch: false))
        #expect(outcome?.status == expected.0)
        #expect(outcome?.code == expected.1)
        #expect(outcome?.attempts == 0)
        #expect(deadLetter?.code == expected.1)
        #expect(state.due(now: now).isEmpty)
        #expect(state.pendingJobs == 0)
    }

    @Test func aNonceSpentByAnotherCommandIsAReplay() {
        var state = state()
        _ = state.receive(factory.signed("c1", nonce: "n-1"), source: source(0), now: now, killSwitch: false)
        let (outcome, deadLetter) = published(
            state.receive(factory.signed("c2", nonce: "n-1"), source: source(1), now: now, killSwitch: false))
        #expect(outcome?.status == .rejected)
        #expect(outcome?.code == "replayed")
        #expect(deadLetter != nil)
    }

    @Test func aProtectedAccountIsSkippedWithoutAJob() {
        var state = state(CommandFactory.enforcing { $0.protectedUsers = ["ceo@contoso.com"] })
        let (outcome, deadLetter) = published(
            state.receive(factory.signed("c1", user: "CEO@contoso.com"), source: source(0), now: now, killSwitch: false)
        )
        #expect(outcome?.status == .skipped)
        #expect(outcome?.code == "protected")
        #expect(deadLetter == nil)
        #expect(state.pendingJobs == 0)
    }

    @Test func aCommandSeenAgainIsAnsweredFromTheRecordAndNeverRunTwice() {
        var state = state()
        let command = factory.signed("c1")
        _ = state.receive(command, source: source(0), now: now, killSwitch: false)
        // Again while the job waits or runs: nothing new.
        #expect(state.receive(command, source: source(1), now: now, killSwitch: false).isEmpty)
        let job = state.due(now: now)[0]
        #expect(state.receive(command, source: source(2), now: now, killSwitch: false).isEmpty)
        state.finish(.finished(job, final: final(job, .succeeded), intent: nil), now: now)
        // Again after its outcome: nothing new either.
        #expect(state.receive(command, source: source(3), now: now, killSwitch: false).isEmpty)
        #expect(state.due(now: now).isEmpty)
    }

    @Test func aCommandWhoseIntentIsOnRecordIsRecoveredByReadingBackNotRunAgain() {
        var memory = OutcomeMemory()
        let command = factory.signed("c1")
        var intent = final(ActionJob(command: command, mode: .execute, source: nil, receivedAt: now), .accepted)
        intent.observedBefore = "signInSessionsValidFrom=1"
        memory.apply(intent)
        var state = state()
        state.restore(memory)
        #expect(state.receive(command, source: source(0), now: now, killSwitch: false).isEmpty)
        let job = state.due(now: now).first
        #expect(job?.mode == .recover)
        #expect(job?.intentRecorded == true)
        #expect(job?.observedBefore == "signInSessionsValidFrom=1")
    }

    @Test func aDifferentCommandReusingAnIdIsDeadLetteredAndTheRecordStands() {
        var state = state()
        let original = factory.signed("c1")
        _ = state.receive(original, source: source(0), now: now, killSwitch: false)
        let job = state.due(now: now)[0]
        state.finish(.finished(job, final: final(job, .succeeded), intent: nil), now: now)
        let impostor = factory.signed("c1", .disableAccount, nonce: "other")
        let (outcome, deadLetter) = published(state.receive(impostor, source: source(1), now: now, killSwitch: false))
        #expect(outcome == nil)
        #expect(deadLetter?.code == "idReused")
        #expect(state.memory.record(of: "c1")?.status == .succeeded)
    }

    @Test func beyondTheCapACommandIsHeldUntilAnAnalystApprovesIt() {
        var state = state(CommandFactory.enforcing { $0.capsPerHour[.disableAccount] = 2 })
        for index in 0..<2 {
            _ = state.receive(
                factory.signed("c\(index)", .disableAccount, user: "u\(index)@contoso.com"),
                source: source(Int64(index)),
                now: now, killSwitch: false)
        }
        let (held, _) = published(
            state.receive(
                factory.signed("c2", .disableAccount, user: "u2@contoso.com"), source: source(2), now: now,
                killSwitch: false))
        #expect(held?.status == .held)
        #expect(held?.code == "cap")
        #expect(held?.heldCommand?.commandId == "c2")
        #expect(state.due(now: now).map(\.commandId).sorted() == ["c0", "c1"])
        // An automatic policy cannot approve; an unknown id is not held.
        let (auto, _) = published(
            state.receive(
                factory.signed("a0", .approve, approves: "c2", requester: .autoPolicy), source: source(3), now: now,
                killSwitch: false))
        #expect(auto?.status == .rejected)
        let (unknown, _) = published(
            state.receive(
                factory.signed("a1", .approve, approves: "nope"), source: source(4), now: now, killSwitch: false))
        #expect(unknown?.code == "notHeld")
        let (approved, _) = published(
            state.receive(
                factory.signed("a2", .approve, approves: "c2"), source: source(5), now: now, killSwitch: false))
        #expect(approved?.status == .succeeded)
        #expect(approved?.code == "approved")
        let released = state.due(now: now)
        #expect(released.map(\.commandId) == ["c2"])
        #expect(released.first?.approvedBy?.contains("sam@contoso.com") == true)
    }

    @Test func theCapCountsRunsOfTheLastHourOnly() {
        var memory = OutcomeMemory()
        for index in 0..<2 {
            let job = ActionJob(
                command: factory.signed("old\(index)", .disableAccount), mode: .execute, source: nil,
                receivedAt: now.addingTimeInterval(-4000))
            var intent = final(job, .accepted)
            intent.startedAt = now.addingTimeInterval(-4000)
            memory.apply(intent)
        }
        var state = state(CommandFactory.enforcing { $0.capsPerHour[.disableAccount] = 2 })
        state.restore(memory)
        #expect(
            state.receive(factory.signed("c1", .disableAccount), source: source(0), now: now, killSwitch: false).isEmpty
        )
    }

    @Test func theKillSwitchHoldsEveryCommandAndRefusesApprovals() {
        var state = state(CommandFactory.enforcing { $0.capsPerHour[.revokeSessions] = 0 })
        let (capped, _) = published(state.receive(factory.signed("c1"), source: source(0), now: now, killSwitch: false))
        #expect(capped?.status == .held)
        let (held, _) = published(state.receive(factory.signed("c2"), source: source(1), now: now, killSwitch: true))
        #expect(held?.code == "killSwitch")
        let (approval, _) = published(
            state.receive(factory.signed("a1", .approve, approves: "c1"), source: source(2), now: now, killSwitch: true)
        )
        #expect(approval?.status == .rejected)
        #expect(approval?.code == "killSwitch")
        #expect(state.due(now: now).isEmpty)
    }

    @Test func anApprovalReadAgainAfterACrashStillReleasesTheHeldCommand() {
        var state = state(CommandFactory.enforcing { $0.capsPerHour[.revokeSessions] = 0 })
        _ = state.receive(factory.signed("c1"), source: source(0), now: now, killSwitch: false)
        let approval = factory.signed("a1", .approve, approves: "c1")
        _ = state.receive(approval, source: source(1), now: now, killSwitch: false)
        // The worker dies before running c1; its successor restores the records and reads a1 again.
        var successor = self.state(CommandFactory.enforcing { $0.capsPerHour[.revokeSessions] = 0 })
        successor.restore(state.memory)
        #expect(successor.receive(approval, source: source(1), now: now, killSwitch: false).isEmpty)
        #expect(successor.due(now: now).map(\.commandId) == ["c1"])
    }

    @Test func atMostFourJobsRunPerMailboxAndThrottlingHoldsTheMailbox() {
        var state = state()
        for index in 0..<6 {
            _ = state.receive(factory.signed("c\(index)"), source: source(Int64(index)), now: now, killSwitch: false)
        }
        _ = state.receive(factory.signed("b0", user: "bob@contoso.com"), source: source(6), now: now, killSwitch: false)
        let first = state.due(now: now)
        #expect(first.filter { $0.command.target.user == "alice@contoso.com" }.count == 4)
        #expect(first.contains { $0.commandId == "b0" })
        let alice = first.filter { $0.command.target.user == "alice@contoso.com" }
        state.finish(.retry(alice[0], retryAfter: .seconds(30), intent: nil), now: now)
        for job in alice.dropFirst() {
            state.finish(.finished(job, final: final(job, .succeeded), intent: nil), now: now)
        }
        // Alice's mailbox waits out the Retry-After, for every job, although it has free slots.
        #expect(state.due(now: now.addingTimeInterval(29)).isEmpty)
        #expect(state.nextDue() == now.addingTimeInterval(30))
        let later = state.due(now: now.addingTimeInterval(30))
        #expect(later.count == 3)
        #expect(later.allSatisfy { $0.command.target.user == "alice@contoso.com" })
        #expect(state.nextDue() == nil)
    }

    @Test func aJobPastItsExpiryComesBackToBeRecordedAsExpired() {
        var state = state()
        _ = state.receive(factory.signed("c1", lifetime: 60), source: source(0), now: now, killSwitch: false)
        let job = state.due(now: now)[0]
        state.finish(.retry(job, retryAfter: .seconds(120), intent: nil), now: now)
        #expect(state.due(now: now.addingTimeInterval(119)).isEmpty)
        #expect(state.due(now: now.addingTimeInterval(120)).first?.mode == .expire)
    }

    @Test func offsetsAreCommittedOnlyBelowTheOldestUnfinishedCommand() {
        var state = state()
        _ = state.receive(factory.signed("c0"), source: source(10), now: now, killSwitch: false)
        _ = state.receive(factory.unsigned("c1"), source: source(11), now: now, killSwitch: false)
        _ = state.receive(
            factory.signed("c2", user: "bob@contoso.com"), source: source(12), now: now, killSwitch: false)
        let jobs = state.due(now: now)
        #expect(state.committable().map(\.offset) == [10])
        let bob = jobs.first { $0.commandId == "c2" }!
        state.finish(.finished(bob, final: final(bob, .succeeded), intent: nil), now: now)
        #expect(state.committable().isEmpty)
        let alice = jobs.first { $0.commandId == "c0" }!
        state.finish(.finished(alice, final: final(alice, .succeeded), intent: nil), now: now)
        #expect(state.committable().map(\.offset) == [13])
    }

    @Test func aRevokedPartitionsWaitingJobsAreLeftToTheNextOwnerAndItsRunningOnesFinishFirst() {
        var state = state()
        _ = state.receive(factory.signed("p0"), source: source(5, partition: 0), now: now, killSwitch: false)
        _ = state.receive(
            factory.signed("p1", user: "bob@contoso.com"), source: source(7, partition: 1), now: now, killSwitch: false)
        let running = state.due(now: now)
        let p1 = running.first { $0.commandId == "p1" }!
        state.finish(.retry(p1, retryAfter: .seconds(5), intent: nil), now: now)
        state.release(partitions: [0, 1])
        #expect(state.isRunning(inPartitions: [0]))
        #expect(!state.isRunning(inPartitions: [1]))
        #expect(state.due(now: now.addingTimeInterval(10)).isEmpty, "p1 waits for the next owner")
        #expect(state.committable().map(\.offset) == [5, 7], "nothing past either open command is committed")
        let p0 = running.first { $0.commandId == "p0" }!
        state.finish(.finished(p0, final: final(p0, .succeeded), intent: nil), now: now)
        #expect(state.committable().map(\.offset) == [6])
        state.revoke(partitions: [0, 1])
        #expect(state.pendingJobs == 0)
    }

    func final(_ job: ActionJob, _ status: RemediationOutcome.Status) -> RemediationOutcome {
        RemediationOutcome(
            commandId: job.commandId, tenantId: job.command.tenantId, action: job.command.action,
            target: job.command.target, status: status, detail: "test", attempts: 1, startedAt: now,
            completedAt: now, nonce: job.command.nonce)
    }
}
