import Correlation
import Events
import Foundation
import Testing

/// Commands, outcomes, verdicts and the auto-response policy, driven through the engine as values.
@Suite("Story feedback and auto-response")
struct StoryFeedbackTests {
    static let user = "victim@contoso.com"
    static let ruleIdentity = "victim@contoso.com\\AQAAAJ5dZp8="

    static let containment = AutoResponsePolicy(rules: [
        .init(
            name: "contain-forwarding", detections: ["externalForwarding"], minimumCriticality: .high,
            actions: [.removeInboxRule, .revokeSessions], dryRun: false)
    ])

    /// One user's forwarding rule that keeps no copy (a high story), with the rule's identity.
    static func forwardingInputs(deletes: Bool = true) -> [RawInput] {
        var inputs = EngineInputs()
        inputs.domains(["contoso.com"], at: EngineInputs.time(0))
        inputs.inboxRule(
            user: user, id: "fwd-1", at: EngineInputs.time(1), name: "sync", forwardTo: "drop@evil.example",
            deleteMessage: deletes, identity: ruleIdentity)
        return inputs.inputs
    }

    static func configuration(_ policy: AutoResponsePolicy) -> CorrelatorConfiguration {
        var configuration = EngineRun.configuration
        configuration.autoResponse = policy
        return configuration
    }

    func run(_ policy: AutoResponsePolicy = .off, inputs: [RawInput] = Self.forwardingInputs()) -> EngineRun {
        var run = EngineRun(configuration: Self.configuration(policy))
        run.feed(inputs)
        run.finish()
        return run
    }

    static func outcome(
        for commandId: String, storyId: String, action: RemediationCommand.Action, status: RemediationOutcome.Status
    ) -> RemediationOutcome {
        RemediationOutcome(
            commandId: commandId, storyId: storyId, tenantId: EngineInputs.tenant, action: action, status: status,
            detail: "DELETE messageRules returned 204", attempts: 1, completedAt: EngineInputs.time(2))
    }

    @Test("a high forwarding story under a containment policy asks once for each action and target, and shows it")
    func autoResponseRequestsEachRemediationOnce() throws {
        let run = run(Self.containment)
        let story = try #require(run.finalStories.values.first)
        #expect(story.criticality == .high)
        #expect(
            Set(run.commands.map { "\($0.action.rawValue) \($0.target.ruleId ?? $0.target.user)" }) == [
                "removeInboxRule \(Self.ruleIdentity)", "revokeSessions \(Self.user)",
            ])
        #expect(run.commands.allSatisfy { $0.storyId == story.id && !$0.dryRun && $0.rule == "contain-forwarding" })
        #expect(run.stories.map(\.kind) == [.opened, .actionRequested])
        #expect(Set(story.actions.map(\.commandId)) == Set(run.commands.map(\.commandId)))
        #expect(story.actions.allSatisfy { $0.requestedBy == "autoPolicy:contain-forwarding" && $0.outcome == nil })

        // The same records again (a replay): the same command ids, and nothing new asked for.
        let again = self.run(Self.containment)
        #expect(again.commands.map(\.commandId) == run.commands.map(\.commandId))
        var twice = EngineRun(configuration: Self.configuration(Self.containment))
        twice.feed(Self.forwardingInputs() + Self.forwardingInputs())
        twice.finish()
        #expect(twice.commands.count == 2)
    }

    @Test("without a policy, or below its criticality, nothing is requested")
    func noPolicyNoCommands() {
        #expect(run(.off).commands.isEmpty)
        let medium = run(Self.containment, inputs: Self.forwardingInputs(deletes: false))
        #expect(medium.finalStories.values.first?.criticality == .medium)
        #expect(medium.commands.isEmpty)
    }

    @Test("an outcome completes its action on the story once, and real containment marks the story contained")
    func outcomesCompleteActions() throws {
        var run = run(Self.containment)
        let removal = try #require(run.commands.first { $0.action == .removeInboxRule })
        let outcome = Self.outcome(
            for: removal.commandId, storyId: removal.storyId, action: .removeInboxRule, status: .succeeded)
        run.take(run.engine.receive(.outcome(outcome)))
        let story = try #require(run.finalStories[removal.storyId])
        #expect(run.stories.last?.kind == .actionCompleted)
        let action = try #require(story.actions.first { $0.commandId == removal.commandId })
        #expect(action.outcome == .succeeded && action.detail == outcome.detail)
        #expect(story.status == .contained)
        let events = run.stories.count
        run.take(run.engine.receive(.outcome(outcome)))
        #expect(run.stories.count == events, "the same outcome read twice changes nothing")

        // A dry run reports what would be done; the story stays open.
        var dry = self.run(Self.containment)
        let sessions = try #require(dry.commands.first { $0.action == .revokeSessions })
        dry.take(
            dry.engine.receive(
                .outcome(
                    Self.outcome(
                        for: sessions.commandId, storyId: sessions.storyId, action: .revokeSessions, status: .dryRun))))
        #expect(dry.finalStories[sessions.storyId]?.status == .open)
    }

    @Test("an analyst's command and verdict become story events; a false positive closes the story")
    func analystCommandsAndVerdicts() throws {
        var run = run()
        let story = try #require(run.finalStories.values.first)
        let command = RemediationCommand(
            commandId: "command-analyst-1", storyId: story.id, tenantId: EngineInputs.tenant,
            target: .init(user: Self.user), action: .disableAccount,
            requestedBy: .init(kind: .analyst, identity: "soc@contoso.com"), reason: "confirmed", dryRun: false,
            issuedAt: EngineInputs.time(3), expiresAt: EngineInputs.time(4), nonce: "n-1")
        run.take(run.engine.receive(.command(command)))
        #expect(run.stories.last?.kind == .actionRequested)
        #expect(run.finalStories[story.id]?.actions.map(\.requestedBy) == ["analyst:soc@contoso.com"])

        let verdict = StoryVerdict(
            storyId: story.id, tenantId: EngineInputs.tenant, user: Self.user, verdict: .falsePositive,
            severity: .low, analyst: "soc@contoso.com", note: "the user's own forwarding to a partner",
            decidedAt: EngineInputs.time(5))
        run.take(run.engine.receive(.verdict(verdict)))
        let judged = try #require(run.finalStories[story.id])
        #expect(run.stories.last?.kind == .verdictRecorded)
        #expect(judged.status == .closed && judged.criticality == .low)
        #expect(judged.verdict?.value == .falsePositive && judged.verdict?.analyst == "soc@contoso.com")
        #expect(OCSFDetectionFinding(try #require(run.stories.last)).statusId == 3)

        // A story about no user of this engine's partitions is kept, not applied.
        let stray = StoryVerdict(
            storyId: "story-unknown", tenantId: EngineInputs.tenant, user: "nobody@contoso.com", verdict: .benign,
            severity: nil, analyst: "soc@contoso.com", decidedAt: EngineInputs.time(5))
        #expect(run.engine.receive(.verdict(stray)).isEmpty)
    }

    @Test("an outcome read before its command still shows who asked, once the command is read")
    func outcomeBeforeItsCommandKeepsTheRequester() throws {
        var run = run()
        let story = try #require(run.finalStories.values.first)
        let command = RemediationCommand(
            commandId: "command-analyst-2", storyId: story.id, tenantId: EngineInputs.tenant,
            target: .init(user: Self.user), action: .disableAccount,
            requestedBy: .init(kind: .analyst, identity: "soc@contoso.com"), reason: "confirmed", dryRun: false,
            issuedAt: EngineInputs.time(1), expiresAt: EngineInputs.time(4), nonce: "n-2")
        run.take(
            run.engine.receive(
                .outcome(
                    Self.outcome(
                        for: command.commandId, storyId: story.id, action: .disableAccount, status: .succeeded))))
        run.take(run.engine.receive(.command(command)))
        let action = try #require(run.finalStories[story.id]?.actions.first { $0.commandId == command.commandId })
        #expect(action.requestedBy == "analyst:soc@contoso.com")
        #expect(action.outcome == .succeeded)
        let events = run.stories.count
        run.take(run.engine.receive(.command(command)))
        #expect(run.stories.count == events, "the command read again changes nothing")
    }

    @Test("feedback that arrives while no instance owns the story is recorded when its partition is restored")
    func feedbackWaitsForTheStorysOwner() throws {
        var first = run(Self.containment)
        let taken = first.engine.checkpoint(0)
        let checkpoint = try #require(taken)
        let removal = try #require(first.commands.first { $0.action == .removeInboxRule })
        _ = first.engine.revoke(0)

        // A new instance reads the outcome before it is given the partition.
        var second = EngineRun(configuration: Self.configuration(Self.containment), partitions: [])
        let outcome = Self.outcome(
            for: removal.commandId, storyId: removal.storyId, action: .removeInboxRule, status: .succeeded)
        #expect(second.engine.receive(.outcome(outcome)).isEmpty)
        let assignment = second.engine.assign(0, restoring: checkpoint, now: second.clockStart)
        second.take(assignment.outputs)
        #expect(second.stories.map(\.kind) == [.actionCompleted])
        #expect(second.finalStories[removal.storyId]?.status == .contained)
        // And the policy does not ask again for what the restored story shows as requested.
        #expect(second.commands.isEmpty)
    }
}
