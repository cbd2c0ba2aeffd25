import Kafka
import Synchronization
import Testing

/// What every group member processed, and the rebalances each one saw.
final class Ledger: Sendable {
    private let state = Mutex<(processed: [Int], events: [String: [KafkaConsumerEvent]])>(([], [:]))

    func processed(_ sequence: Int) { state.withLock { $0.processed.append(sequence) } }
    func saw(_ member: String, _ event: KafkaConsumerEvent) {
        state.withLock { $0.events[member, default: []].append(event) }
    }
    var processedSequences: [Int] { state.withLock { $0.processed } }
    func rebalances(of member: String) -> [KafkaConsumerEvent] { state.withLock { $0.events[member] ?? [] } }

    func assignment(of member: String) -> Set<KafkaTopicPartition> {
        var owned: Set<KafkaTopicPartition> = []
        for event in rebalances(of: member) {
            switch event {
            case .partitionsAssigned(let partitions): owned.formUnion(partitions)
            case .partitionsRevoked(let partitions, _): owned.subtract(partitions)
            case .message: break
            }
        }
        return owned
    }
}

/// A group member that processes each message, stores its offset and commits
/// it, and commits again before giving partitions up. Runs until cancelled.
struct Member: Sendable {
    let name: String
    let consumer: KafkaConsumer
    let ledger: Ledger

    func run() async throws {
        for try await event in consumer.events {
            switch event {
            case .message(let message):
                ledger.processed(message.sequence)
                try consumer.store(message)
                try await consumer.commit()
            case .partitionsRevoked:
                ledger.saw(name, event)
                // Every processed message is already committed; this one is a safety net that the
                // mock coordinator may refuse (REBALANCE_IN_PROGRESS while a join is under way).
                // Failing here would end the member, and it would never rejoin.
                try? await consumer.commit()
            case .partitionsAssigned:
                ledger.saw(name, event)
            }
        }
        try await consumer.commit()
        await consumer.close()
    }
}

/// Waits for a condition, polling, and fails the test after `seconds`.
func eventually(
    _ what: String, seconds: Double = 40, state: @Sendable () -> String = { "" },
    _ condition: @Sendable () -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(seconds)
    while !condition() {
        guard clock.now < deadline else {
            throw TimedOut(description: "timed out waiting until \(what); \(state())")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}

@Suite("Consumer groups and rebalances")
struct ConsumerGroupRebalanceTests {
    @Test(
        "members split the partitions; joins and departures are seen as rebalance events and no message is lost or processed twice"
    )
    func rebalancesLoseNothingAndDuplicateNothing() async throws {
        let topic = uniqueName("rebalance")
        let group = uniqueName("group")
        let broker = try EmbeddedKafka(brokers: 1, topics: [KafkaTopicSpec(name: topic, partitions: 6)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        let ledger = Ledger()
        let all = (0..<6).map { KafkaTopicPartition(topic: topic, partition: $0) }

        func member(_ name: String) throws -> Member {
            Member(
                name: name,
                consumer: try KafkaConsumer(
                    configuration: consumerConfiguration(broker), groupID: group, topics: [topic]),
                ledger: ledger)
        }

        // librdkafka's mock coordinator refuses commits while a join is under way
        // (real Kafka accepts them until the group syncs), so records are produced
        // only while the group is stable, and every processed one is committed
        // before membership changes.
        let a = try member("a")
        let b = try member("b")
        let runA = Task { try await a.run() }
        let runB = Task { try await b.run() }
        let snapshot: @Sendable () -> String = {
            let owned = ["a", "b", "c"].map { "\($0) owns \(ledger.assignment(of: $0).map(\.partition).sorted())" }
            return owned.joined(separator: ", ") + ", processed \(Set(ledger.processedSequences).count) distinct"
                + ", events: "
                + ["a", "b", "c"].map { "\($0): \(ledger.rebalances(of: $0).count)" }.joined(separator: " ")
        }
        try await eventually("a and b split the six partitions", state: snapshot) {
            let (ownedA, ownedB) = (ledger.assignment(of: "a"), ledger.assignment(of: "b"))
            return !ownedA.isEmpty && !ownedB.isEmpty && ownedA.isDisjoint(with: ownedB)
                && ownedA.union(ownedB) == Set(all)
        }
        try await producer.send(contentsOf: records(topic: topic, count: 1_000, from: 0))
        try await eventually("the first batch is processed", state: snapshot) {
            Set(ledger.processedSequences).count == 1_000
        }

        let c = try member("c")
        let runC = Task { try await c.run() }
        try await eventually("c joins: a and b give partitions up and all three share them", state: snapshot) {
            let owned = ["a", "b", "c"].map { ledger.assignment(of: $0) }
            return owned.allSatisfy { !$0.isEmpty } && owned.reduce(0) { $0 + $1.count } == 6
                && Set(owned.joined()) == Set(all)
        }
        #expect(ledger.rebalances(of: "a").contains { if case .partitionsRevoked = $0 { true } else { false } })
        #expect(ledger.rebalances(of: "b").contains { if case .partitionsRevoked = $0 { true } else { false } })
        try await producer.send(contentsOf: records(topic: topic, count: 1_000, from: 1_000))
        try await eventually("the second batch is processed", state: snapshot) {
            Set(ledger.processedSequences).count == 2_000
        }

        runA.cancel()
        try await runA.value
        try await eventually("b and c take over a's partitions after it leaves", state: snapshot) {
            let (ownedB, ownedC) = (ledger.assignment(of: "b"), ledger.assignment(of: "c"))
            return ownedB.isDisjoint(with: ownedC) && ownedB.union(ownedC) == Set(all)
        }
        try await producer.send(contentsOf: records(topic: topic, count: 1_000, from: 2_000))
        try await eventually("the third batch is processed", state: snapshot) {
            Set(ledger.processedSequences).count == 3_000
        }
        runB.cancel()
        runC.cancel()
        try await runB.value
        try await runC.value
        await producer.close()

        let processed = ledger.processedSequences.filter { $0 < 3_000 }
        #expect(Set(processed) == Set(0..<3_000), "no message lost")
        #expect(
            processed.count == 3_000, "no message processed twice: \(processed.count - Set(processed).count) duplicates"
        )
    }
}

@Suite("Cooperative rebalancing")
struct CooperativeRebalanceTests {
    @Test("with cooperative-sticky, a joining member takes only some partitions and the others keep theirs")
    func cooperativeJoinMovesOnlySomePartitions() async throws {
        let topic = uniqueName("coop")
        let group = uniqueName("group")
        let broker = try EmbeddedKafka(brokers: 1, topics: [KafkaTopicSpec(name: topic, partitions: 4)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        let ledger = Ledger()
        let all = Set((0..<4).map { KafkaTopicPartition(topic: topic, partition: $0) })
        func member(_ name: String) throws -> Member {
            Member(
                name: name,
                consumer: try KafkaConsumer(
                    configuration: consumerConfiguration(
                        broker, ["partition.assignment.strategy": "cooperative-sticky"]),
                    groupID: group, topics: [topic]),
                ledger: ledger)
        }
        let snapshot: @Sendable () -> String = {
            ["a", "b"].map { "\($0) owns \(ledger.assignment(of: $0).map(\.partition).sorted())" }
                .joined(separator: ", ") + ", processed \(Set(ledger.processedSequences).count)"
        }

        let a = try member("a")
        let runA = Task { try await a.run() }
        try await eventually("a owns all partitions", state: snapshot) { ledger.assignment(of: "a") == all }
        try await producer.send(contentsOf: records(topic: topic, count: 400))
        try await eventually("a processes the first batch", state: snapshot) {
            Set(ledger.processedSequences).count == 400
        }

        let b = try member("b")
        let runB = Task { try await b.run() }
        try await eventually("b gets a share and a keeps the rest", state: snapshot) {
            let (ownedA, ownedB) = (ledger.assignment(of: "a"), ledger.assignment(of: "b"))
            return !ownedA.isEmpty && !ownedB.isEmpty && ownedA.isDisjoint(with: ownedB) && ownedA.union(ownedB) == all
        }
        // Incremental: a was never told to give up everything, only what b took.
        let revokedFromA = ledger.rebalances(of: "a").compactMap { event -> Set<KafkaTopicPartition>? in
            if case .partitionsRevoked(let partitions, _) = event { Set(partitions) } else { nil }
        }
        #expect(!revokedFromA.isEmpty)
        #expect(revokedFromA.allSatisfy { $0 != all })

        try await producer.send(contentsOf: records(topic: topic, count: 400, from: 400))
        try await eventually("the second batch is processed", state: snapshot) {
            Set(ledger.processedSequences).count == 800
        }
        runA.cancel()
        runB.cancel()
        try await runA.value
        try await runB.value
        await producer.close()
        let processed = ledger.processedSequences
        #expect(processed.count == 800, "no message processed twice")
        #expect(Set(processed) == Set(0..<800))
    }
}
