import Events
import Foundation
import Testing

@testable import Correlation

/// `forwardingFanIn`: at least three mailboxes of a tenant forwarding to one external address
/// within 7 days; each of them gets a high story beside its own forwarding story. Mailboxes live
/// in different partitions, possibly on different correlator instances, which share what they see
/// through `.forwarding` observations.
@Suite("Detection: forwarding fan-in")
struct ForwardingFanInTests {
    typealias H = DetectionHarness
    static let drop = "invoices.archive@evil.example"

    /// Mailboxes forwarding to `drop`, each its own way, each in its own partition.
    static func fanIn(_ mailboxes: [(user: String, hours: Double)], to destination: String = drop) -> EngineInputs {
        var inputs = EngineInputs()
        for (index, mailbox) in mailboxes.enumerated() {
            inputs.partition = Int32(index)
            let time = H.time(mailbox.hours)
            switch index % 4 {
            case 0:
                H.forwardingRule(&inputs, user: mailbox.user, id: "fwd-\(index)", at: mailbox.hours, to: destination)
            case 1:
                inputs.cmdlet(
                    "Set-Mailbox",
                    [
                        ("Identity", mailbox.user), ("ForwardingSmtpAddress", "SMTP:" + destination.uppercased()),
                        ("DeliverToMailboxAndForward", "False"),
                    ], by: mailbox.user, id: "fwd-\(index)", at: time)
            case 2:
                inputs.outlookRule(
                    by: mailbox.user, id: "fwd-\(index)", at: time, name: "Archive",
                    actions: "[{\"ActionType\":\"Redirect\",\"Recipients\":[\"\(destination)\"]}]")
            default:
                inputs.graphRule(
                    mailbox: mailbox.user, id: "fwd-\(index)", at: time, name: "Copy",
                    actions: ["forwardAsAttachmentTo": EngineInputs.graphRecipients([destination])])
            }
        }
        return inputs
    }

    static let three = [(H.alice, 1.0), (H.bob, 3.0), (H.carol, 5.0)]

    @Test(
        "three mailboxes in different partitions of one engine forwarding to one outsider: a high fan-in story on each, beside each one's forwarding story"
    )
    func threeMailboxesOneEngine() throws {
        let run = H.run(Self.fanIn(Self.three), partitions: [0, 1, 2])
        #expect(
            run.found == [
                "alice@contoso.com externalForwarding medium", "alice@contoso.com forwardingFanIn high",
                "bob@contoso.com externalForwarding high", "bob@contoso.com forwardingFanIn high",
                "carol@contoso.com externalForwarding medium", "carol@contoso.com forwardingFanIn high",
            ])
        for user in [H.alice, H.bob, H.carol] {
            let story = try #require(run.story(.forwardingFanIn, of: user))
            #expect(story.entities.mailboxes == [H.alice, H.bob, H.carol])
            #expect(story.entities.externalRecipients == [Self.drop])
            #expect(story.timeline.count == 3)
            #expect(story.evidence.first?.matched["destination"] == Self.drop)
        }
        #expect(run.observations.count == 3)
        #expect(Set(run.observations.map(\.destination)) == [Self.drop])
    }

    @Test("an administrator setting forwarding on three mailboxes to one outsider makes a fan-in of those mailboxes")
    func adminSetsForwardingOnThreeMailboxes() {
        var inputs = EngineInputs()
        for (index, user) in [H.alice, H.bob, H.carol].enumerated() {
            inputs.cmdlet(
                "Set-Mailbox",
                [
                    ("Identity", user), ("ForwardingSmtpAddress", "smtp:" + Self.drop),
                    ("DeliverToMailboxAndForward", "True"),
                ], by: "admin@contoso.com", userType: 2, id: "fwd-\(index)", at: H.time(1 + Double(index)))
        }
        let run = H.run(inputs)
        let fanIn = run.finalStories.values.filter { $0.detection == Detection.forwardingFanIn.rawValue }
        // Known limit (README, docs/detections.md): records are keyed by who ran the cmdlet, so
        // one administrator forwarding three mailboxes is one forwarding user, not three.
        withKnownIssue("fan-in counts the user who set the forwarding, not the mailbox it was set on") {
            #expect(!fanIn.isEmpty, "stories: \(run.found)")
            #expect(Set(fanIn.flatMap(\.entities.mailboxes)).isSuperset(of: [H.alice, H.bob, H.carol]))
        }
    }

    @Test("two mailboxes forwarding to one outsider are no fan-in")
    func twoMailboxes() {
        let run = H.run(Self.fanIn([(H.alice, 1), (H.bob, 3)]), partitions: [0, 1])
        #expect(
            run.found == ["alice@contoso.com externalForwarding medium", "bob@contoso.com externalForwarding high"])
    }

    @Test(
        "three mailboxes spread over more than the window: only the middle one, which sees both others, gets the story")
    func spreadOverMoreThanTheWindow() throws {
        let run = H.run(Self.fanIn([(H.alice, 0), (H.bob, 5 * 24), (H.carol, 10 * 24)]), partitions: [0, 1, 2])
        #expect(run.found.filter { $0.contains("forwardingFanIn") } == ["bob@contoso.com forwardingFanIn high"])
        #expect(run.story(.forwardingFanIn, of: H.bob)?.entities.mailboxes == [H.alice, H.bob, H.carol])
    }

    @Test(
        "three mailboxes forwarding to one address inside the tenant (or a subdomain) are no fan-in, and no forwarding")
    func internalDestination() {
        for destination in ["shared@contoso.com", "ap@finance.contoso.com"] {
            let run = H.run(Self.fanIn(Self.three, to: destination), partitions: [0, 1, 2])
            #expect(run.found.isEmpty, "\(destination)")
            #expect(run.observations.isEmpty)
        }
    }

    @Test("one mailbox forwarding to the same outsider three times is no fan-in")
    func oneMailboxThreeTimes() {
        var inputs = EngineInputs()
        for index in 0..<3 {
            H.forwardingRule(&inputs, user: H.alice, id: "fwd-\(index)", at: Double(index + 1), to: Self.drop)
        }
        #expect(H.run(inputs).found == ["alice@contoso.com externalForwarding medium"])
    }

    @Test("three mailboxes forwarding to three addresses of one outside domain are no fan-in")
    func sameDomainOtherAddresses() {
        var inputs = EngineInputs()
        for (index, user) in [H.alice, H.bob, H.carol].enumerated() {
            H.forwardingRule(
                &inputs, user: user, id: "fwd-\(index)", at: Double(index + 1), to: "box\(index)@evil.example")
        }
        #expect(H.run(inputs).found.allSatisfy { $0.hasSuffix("externalForwarding medium") })
    }

    @Test("the tuned number of mailboxes and window apply")
    func tunedFanIn() {
        let tuned = H.configuration(DetectionConfiguration(fanInMailboxes: 2, fanInWindow: .seconds(3600)))
        let close = H.run(Self.fanIn([(H.alice, 1), (H.bob, 1.5)]), configuration: tuned, partitions: [0, 1])
        #expect(close.found.filter { $0.contains("forwardingFanIn") }.count == 2)
        let apart = H.run(Self.fanIn([(H.alice, 1), (H.bob, 3)]), configuration: tuned, partitions: [0, 1])
        #expect(apart.found.filter { $0.contains("forwardingFanIn") }.isEmpty)
    }

    // MARK: Across instances

    /// Four mailboxes, one per partition: engine A owns 0 and 1, engine B owns 2 and 3. Each reads
    /// its own partitions, then both read the forwarding topic whole (their own observations
    /// too) in `order`; together they must tell what one engine owning everything tells.
    static func twoEngines(order: ([ForwardingObservation]) -> [ForwardingObservation]) -> [String: StoryView] {
        let inputs = H.inOrder(Self.fanIn([(H.alice, 1), (H.bob, 2), (H.carol, 3), (H.dave, 4)]).inputs)
        var engines = [
            EngineRun(configuration: H.configuration(), partitions: [0, 1]),
            EngineRun(configuration: H.configuration(), partitions: [2, 3]),
        ]
        for index in engines.indices {
            engines[index].feed(
                inputs.filter { engines[index].engine.assignedPartitions.contains($0.source.partition) })
            engines[index].finish()
        }
        let topic = order(engines[0].observations + engines[1].observations)
        for index in engines.indices {
            for observation in topic { engines[index].take(engines[index].engine.receive(observation)) }
        }
        return engines[0].finalStories.merging(engines[1].finalStories) { first, _ in first }
    }

    @Test(
        "two engines owning different partitions that exchange their forwarding observations end with the same stories as one engine, whatever the order"
    )
    func twoEnginesAgreeWithOne() {
        let inputs = H.inOrder(Self.fanIn([(H.alice, 1), (H.bob, 2), (H.carol, 3), (H.dave, 4)]).inputs)
        var single = EngineRun(configuration: H.configuration(), partitions: [0, 1, 2, 3])
        single.feed(inputs)
        single.finish()
        #expect(single.found.filter { $0.contains("forwardingFanIn high") }.count == 4)
        #expect(single.finalStories.count == 8)
        var orders: [(String, ([ForwardingObservation]) -> [ForwardingObservation])] = [
            ("as produced", { $0 }), ("reversed", { $0.reversed() }),
            ("B's first", { observations in observations.sorted { $0.source.partition > $1.source.partition } }),
        ]
        for seed in 1...4 {
            orders.append(
                (
                    "shuffled \(seed)",
                    { observations in
                        var generator = SplitMix(seed: UInt64(seed))
                        return observations.shuffled(using: &generator)
                    }
                ))
        }
        for (name, order) in orders {
            #expect(Self.twoEngines(order: order) == single.finalStories, "\(name)")
        }
    }

    @Test("an engine reading its own observations back changes nothing")
    func ownObservationsReadBack() {
        var run = H.run(Self.fanIn(Self.three), partitions: [0, 1, 2])
        let before = run.stories.count
        for observation in run.observations { run.take(run.engine.receive(observation)) }
        #expect(run.stories.count == before)
        #expect(run.engine.counters.forwardingObservations == 3)
    }

    @Test("an instance that takes a partition on after the others' observations arrived judges its mailboxes then")
    func assignmentAfterObservations() throws {
        let inputs = H.inOrder(Self.fanIn(Self.three).inputs)
        var others = EngineRun(configuration: H.configuration(), partitions: [0, 1])
        others.feed(inputs.filter { $0.source.partition != 2 })
        others.finish()
        var owner = EngineRun(configuration: H.configuration(), partitions: [2])
        owner.feed(inputs.filter { $0.source.partition == 2 })
        owner.finish()
        // Carol's partition changes hands: a new instance restores it, having read the topic first.
        var successor = EngineRun(configuration: H.configuration(), partitions: [])
        for observation in others.observations + owner.observations {
            successor.take(successor.engine.receive(observation))
        }
        let taken = owner.engine.checkpoint(2)
        let checkpoint = try #require(taken)
        successor.take(successor.engine.assign(2, restoring: checkpoint, now: successor.clockStart).outputs)
        #expect(successor.found == ["carol@contoso.com forwardingFanIn high"])
    }
}
