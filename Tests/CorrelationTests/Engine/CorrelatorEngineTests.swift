import Events
import Foundation
import Testing

@testable import Correlation

@Suite("Correlator engine")
struct CorrelatorEngineTests {
    typealias Inputs = EngineInputs

    /// Several users over two days: baselines, an attacker's sign-in then phishing, forwarding
    /// rules inside and outside the tenant, and benign activity around them.
    static func scenario(users: Int = 6) -> EngineInputs {
        var inputs = EngineInputs()
        inputs.domains(["contoso.com", "contoso.co.uk"], at: Inputs.time(0))
        for index in 0..<users {
            let user = "user\(index)@contoso.com"
            for day in 0..<2 {
                for hour in [8.0, 12, 17] {
                    inputs.signIn(
                        user: user, id: "si-\(index)-\(day)-\(hour)",
                        at: Inputs.time(Double(day) * 24 + hour + Double(index) / 10),
                        ip: "198.51.100.\(10 + index)", country: "US", latitude: 47.6, longitude: -122.3)
                }
            }
            inputs.inboxRule(
                user: user, id: "rule-internal-\(index)", at: Inputs.time(9 + Double(index)),
                forwardTo: "smtp:assistant\(index)@sales.contoso.com")
            inputs.inboxRule(
                user: user, id: "rule-uk-\(index)", at: Inputs.time(10 + Double(index)), forwardTo: "team@contoso.co.uk"
            )
        }
        // user0: forwards out, keeping a copy; later a second rule that deletes.
        inputs.inboxRule(
            user: "user0@contoso.com", id: "fwd-0", at: Inputs.time(20), forwardTo: "SMTP:Drop@Evil.example")
        inputs.inboxRule(
            user: "user0@contoso.com", id: "fwd-0b", at: Inputs.time(21), forwardTo: "drop@evil.example; x@contoso.com",
            deleteMessage: true)
        // user1: a look-alike domain is external.
        inputs.inboxRule(user: "user1@contoso.com", id: "fwd-1", at: Inputs.time(22), forwardTo: "ceo@contoso-co.uk")
        // user2: a risky sign-in from abroad, then a phishing mail delivered 3 hours later.
        inputs.signIn(
            user: "user2@contoso.com", id: "si-attack-2", at: Inputs.time(30), ip: "203.0.113.66", country: "RU",
            latitude: 55.75, longitude: 37.6, risk: "high")
        inputs.phishDelivered(user: "user2@contoso.com", id: "phish-2", at: Inputs.time(33))
        // user3: phishing with no suspicious sign-in before it: no story.
        inputs.phishDelivered(user: "user3@contoso.com", id: "phish-3", at: Inputs.time(34))
        // user4: a suspicious sign-in, and phishing only 30 hours later: outside the window.
        inputs.signIn(
            user: "user4@contoso.com", id: "si-attack-4", at: Inputs.time(14.5), ip: "203.0.113.67", country: "NG",
            latitude: 6.5, longitude: 3.4, risk: "medium")
        inputs.phishDelivered(user: "user4@contoso.com", id: "phish-4", at: Inputs.time(44.6))
        // A datacenter process sets forwarding as part of a migration: never a user's doing.
        inputs.inboxRule(
            user: "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)", id: "fwd-system", at: Inputs.time(23),
            forwardTo: "archive@backup.example", actorType: 3)
        return inputs
    }

    /// The inputs as topics would hold them: each feed in event-time order.
    static func arrivingInOrder(_ inputs: [RawInput]) -> [RawInput] {
        arriving(inputs) { time, _ in time }
    }

    /// Renumbers the inputs' offsets in the order `arrival` gives (per feed, as on a topic).
    static func arriving(_ inputs: [RawInput], at arrival: (Date, Int) -> Date) -> [RawInput] {
        let normalizer = Normalizer()
        let keyed = inputs.enumerated().map { index, input in
            (arrival((try? normalizer.normalize(input).time) ?? .distantPast, index), index, input)
        }
        var renumbered = EngineInputs()
        for (_, _, input) in keyed.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            var moved = input
            moved.source = renumbered.next(input.feed)
            renumbered.append(moved)
        }
        return renumbered.inputs
    }

    func run(_ inputs: some Sequence<RawInput>) -> EngineRun {
        var run = EngineRun()
        run.feed(inputs)
        run.finish()
        return run
    }

    @Test("external forwarding and login-then-phish open one story each for exactly the users they should")
    func theShippedDetectionsFindWhatTheyShould() throws {
        let run = run(Self.arrivingInOrder(Self.scenario().inputs))
        #expect(run.engine.counters.late == 0)
        let stories = run.finalStories.values.sorted { $0.user < $1.user }
        let found = stories.map { "\($0.user) \($0.detection) \($0.criticality)" }
        #expect(
            found == [
                "user0@contoso.com externalForwarding high",
                "user1@contoso.com externalForwarding medium",
                "user2@contoso.com loginThenPhish high",
            ])
        let user0 = try #require(stories.first)
        #expect(user0.entities.externalRecipients == ["drop@evil.example"])
        #expect(Set(user0.references.map(\.recordId)) == [EventID.raw("fwd-0"), EventID.raw("fwd-0b")])
        #expect(run.stories.filter { $0.storyId == user0.id }.map(\.kind) == [.opened, .severityRaised])
        let user2 = try #require(stories.last)
        #expect(user2.evidence.first?.matched["reasons"]?.contains("risk high") == true)
        // The user's next sign-in from home, two hours after the one from Moscow, is impossible
        // travel too, and joins the story.
        #expect(user2.entities.ipAddresses.map(\.address) == ["198.51.100.12", "203.0.113.66"])
        #expect(user2.timeline.contains { $0.event.contains("impossible travel") })
        #expect(run.deadLetters.isEmpty)
    }

    @Test("records shuffled within the grace give the same stories as in order")
    func shuffledWithinGraceGivesTheSameStories() {
        let inputs = Self.scenario().inputs
        let inOrder = run(Self.arrivingInOrder(inputs)).finalStories.mapValues(\.withoutOffsets)
        #expect(inOrder.count == 3)
        for seed in 1...5 {
            // Each record arrives up to 25 minutes after its event time, in any order: within the
            // 30-minute grace.
            var generator = SplitMix(seed: UInt64(seed))
            let jitter = (0..<inputs.count).map { _ in TimeInterval(Int.random(in: 0..<1500, using: &generator)) }
            let shuffled = Self.arriving(inputs) { time, index in time.addingTimeInterval(jitter[index]) }
            #expect(
                shuffled.map(\.cloudEventId) != Self.arrivingInOrder(inputs).map(\.cloudEventId),
                "the shuffle must actually reorder something")
            let result = run(shuffled)
            #expect(result.engine.counters.late == 0, "seed \(seed)")
            #expect(result.finalStories.mapValues(\.withoutOffsets) == inOrder, "seed \(seed)")
        }
    }

    @Test("every raw record delivered twice changes nothing and is counted as a duplicate")
    func duplicatesChangeNothing() {
        let inputs = Self.arrivingInOrder(Self.scenario().inputs)
        let once = run(inputs)
        var doubled = EngineInputs()
        for input in inputs {
            for _ in 0..<2 {
                var copy = input
                copy.source = doubled.next(input.feed)
                doubled.append(copy)
            }
        }
        let twice = run(doubled.inputs)
        #expect(twice.finalStories.mapValues(\.withoutOffsets) == once.finalStories.mapValues(\.withoutOffsets))
        #expect(twice.stories.count == once.stories.count)
        #expect(twice.engine.counters.duplicates >= once.engine.counters.applied)
    }

    @Test(
        "a crash after a checkpoint: a new engine restored from the state topic's records and fed from the resume offsets writes the same story events"
    )
    func restoreFromCheckpointReplaysToTheSameStories() throws {
        let inputs = Self.arrivingInOrder(Self.scenario().inputs)
        let whole = run(inputs)
        let codec = StateCodec(feedTopics: [.audit: "inboxwatch.raw.audit", .mail: "inboxwatch.raw.mail"])
        for cut in [5, inputs.count / 3, inputs.count / 2, inputs.count - 3] {
            var first = EngineRun()
            first.feed(inputs.prefix(cut))
            let taken = first.engine.checkpoint(0)
            let checkpoint = try #require(taken)
            // Some more input is processed (and its story events written) before the crash.
            first.feed(inputs.dropFirst(cut).prefix(7))
            // What the state topic holds, encoded and decoded as on Kafka.
            let snapshots = try codec.snapshots(of: checkpoint, at: Date()).map { snapshot in
                try BoundedJSONDecoder().decodeValue(
                    CorrelatorStateSnapshot.self, from: try EventEncoder().encode(snapshot))
            }
            let restoring = try codec.restore(partition: 0, from: snapshots)
            let restored = try #require(restoring)
            var second = EngineRun(partitions: [])
            let resume = second.engine.assign(0, restoring: restored, now: second.clockStart).resume
            let replay = inputs.filter { $0.source.offset >= resume[$0.feed] ?? 0 }
            second.feed(replay)
            second.finish()
            // Story events on the topic: those before the crash, then the replay's; consumers keep
            // each (story, sequence) once.
            var written: [String: StoryEvent] = [:]
            for event in first.stories + second.stories {
                let id = "\(event.storyId)#\(event.sequence)"
                if let earlier = written[id] {
                    #expect(earlier == event, "a replayed story event must be byte for byte the first one")
                }
                written[id] = event
            }
            let expected = Dictionary(uniqueKeysWithValues: whole.stories.map { ("\($0.storyId)#\($0.sequence)", $0) })
            #expect(written == expected, "cut at \(cut)")
        }
    }

    @Test("a record later than the grace still joins its open story and is counted late")
    func lateRecordsStillUpdateTheirStory() throws {
        var inputs = EngineInputs()
        inputs.domains(["contoso.com"], at: Inputs.time(0))
        inputs.inboxRule(user: "alice@contoso.com", id: "fwd-a", at: Inputs.time(1), forwardTo: "a@evil.example")
        inputs.signIn(
            user: "bob@contoso.com", id: "s1", at: Inputs.time(10), ip: "198.51.100.1", country: "US", latitude: 47,
            longitude: -122)
        inputs.inboxRule(user: "bob@contoso.com", id: "bob-rule", at: Inputs.time(10), name: "x")
        // Published hours late: behind the watermark of both feeds.
        inputs.inboxRule(
            user: "alice@contoso.com", id: "fwd-late", at: Inputs.time(2), forwardTo: "b@evil.example",
            deleteMessage: true)
        let run = run(inputs.inputs)
        #expect(run.engine.counters.late == 1)
        let story = try #require(run.finalStories.values.first { $0.user == "alice@contoso.com" })
        #expect(run.finalStories.count == 1)
        #expect(story.entities.externalRecipients == ["a@evil.example", "b@evil.example"])
        #expect(story.criticality == .high)
    }

    @Test(
        "a suspicious sign-in that arrives after its phishing, later than the grace, tells the same story as in order")
    func aLateSignInJoinsEveryPhishingOfItsWindow() throws {
        func inputs(signInFirst: Bool) -> [RawInput] {
            var inputs = EngineInputs()
            let signIn = { (inputs: inout EngineInputs) in
                inputs.signIn(
                    user: "dana@contoso.com", id: "attack", at: Inputs.time(1), ip: "203.0.113.9", country: "RU",
                    latitude: 55.7, longitude: 37.6, risk: "high")
            }
            if signInFirst { signIn(&inputs) }
            inputs.phishDelivered(user: "dana@contoso.com", id: "p1", at: Inputs.time(2))
            inputs.phishDelivered(user: "dana@contoso.com", id: "p2", at: Inputs.time(2))
            // Both feeds move hours on, so a sign-in arriving now is behind the watermark.
            inputs.signIn(
                user: "eve@contoso.com", id: "later", at: Inputs.time(9), ip: "198.51.100.3", country: "US",
                latitude: 47, longitude: -122)
            inputs.inboxRule(user: "eve@contoso.com", id: "later-rule", at: Inputs.time(9))
            if !signInFirst { signIn(&inputs) }
            return inputs.inputs
        }
        let inOrder = run(inputs(signInFirst: true))
        let late = run(inputs(signInFirst: false))
        #expect(late.engine.counters.late == 1)
        let story = try #require(inOrder.finalStories.values.first)
        #expect(story.timeline.count == 3)
        #expect(late.finalStories.mapValues(\.withoutOffsets) == inOrder.finalStories.mapValues(\.withoutOffsets))
    }

    @Test("a record that is not an envelope is dead-lettered with the reason, and the rest go on")
    func undecodableRecordsAreDeadLettered() {
        var inputs = EngineInputs()
        inputs.raw(.audit, key: "\(Inputs.tenant)/alice@contoso.com", bytes: Array("{\"not\": \"an envelope\"".utf8))
        inputs.inboxRule(user: "alice@contoso.com", id: "fwd", at: Inputs.time(1), forwardTo: "a@evil.example")
        let run = run(inputs.inputs)
        #expect(run.deadLetters.count == 1)
        #expect(run.deadLetters.first?.1.code == .malformedEnvelope)
        #expect(run.finalStories.count == 1)
        let letter = inputs.inputs[0].deadLetter(
            run.deadLetters[0].1, stage: "correlator.normalize", at: Inputs.time(5))
        #expect(letter.sourceOffset == 0 && letter.errorClass == "malformedEnvelope" && !letter.reason.isEmpty)
    }

    @Test("a user's state stays within its caps, however much arrives")
    func stateIsBounded() throws {
        var inputs = EngineInputs()
        for index in 0..<1_000 {
            inputs.signIn(
                user: "busy@contoso.com", id: "s\(index)", at: Inputs.time(Double(index) / 10),
                ip: "198.51.\(index % 250).\(index % 200)",
                country: ["US", "CA", "MX", "GB", "FR"][index % 5] + "\(index % 40)",
                latitude: 47, longitude: -122, risk: index % 7 == 0 ? "high" : "none",
                errorCode: index % 3 == 0 ? 50126 : 0)
            inputs.phishDelivered(user: "busy@contoso.com", id: "p\(index)", at: Inputs.time(Double(index) / 10 + 0.01))
        }
        let run = run(inputs.inputs)
        let state = try #require(run.engine.state(of: "\(Inputs.tenant)/busy@contoso.com"))
        let limits = StateLimits()
        #expect(state.signIns.count <= limits.signIns)
        #expect(state.suspiciousSignIns.count <= limits.suspiciousSignIns)
        #expect(state.phishing.count <= limits.phishing)
        #expect(state.countries.count <= limits.countries)
        #expect(state.networks.count <= limits.networks)
        #expect(state.applied.count <= limits.applied)
        #expect(state.stories.count <= limits.stories)
        for story in state.stories {
            #expect(
                story.view.timeline.count <= limits.storyEntries && story.view.references.count <= limits.storyEntries)
        }
    }
}

/// A small seeded generator, so shuffles are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
