import Kafka
import Testing

@Suite("Committed offsets")
struct CommitAndRestartTests {
    @Test("a restarted member resumes at the committed offset: nothing re-read, nothing skipped")
    func restartResumesAtCommittedOffset() async throws {
        let topic = uniqueName("restart")
        let group = uniqueName("group")
        let broker = try EmbeddedKafka(topics: [KafkaTopicSpec(name: topic, partitions: 3)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        try await producer.send(contentsOf: records(topic: topic, count: 300))
        await producer.close()

        let first = try KafkaConsumer(configuration: consumerConfiguration(broker), groupID: group, topics: [topic])
        let firstEvents = try await consume(
            first,
            seconds: 90,
            until: { $0.messages.count >= 120 },
            onEvent: { event in
                if case .message(let message) = event { try first.store(message) }
            })
        let processedFirst = Array(firstEvents.messages.prefix(120))
        try await first.commit()
        let committed = try await first.committed((0..<3).map { KafkaTopicPartition(topic: topic, partition: $0) })
        await first.close()
        #expect(
            committed.map { max(0, $0.offset) }.reduce(0, +) == 120,
            "committed offsets cover exactly what was processed")

        let second = try KafkaConsumer(configuration: consumerConfiguration(broker), groupID: group, topics: [topic])
        // The second member's first join follows the first member's departure; on a 2-core CI
        // machine running every suite at once this once took longer than the default 30 s.
        let secondEvents = try await consume(second, seconds: 90, until: { $0.messages.count >= 180 })
        await second.close()

        let firstSet = Set(processedFirst.map(\.sequence))
        let secondSet = Set(secondEvents.messages.map(\.sequence))
        #expect(secondEvents.messages.count == 180)
        #expect(firstSet.isDisjoint(with: secondSet))
        #expect(firstSet.union(secondSet) == Set(0..<300))
    }

    @Test("storing an offset for a partition the consumer does not own fails")
    func storingForeignPartitionFails() async throws {
        let topic = uniqueName("foreign")
        let broker = try EmbeddedKafka(topics: [KafkaTopicSpec(name: topic, partitions: 1)])
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(broker), groupID: uniqueName("g"), topics: [topic])
        #expect(throws: KafkaError.self) {
            try consumer.store([KafkaOffset(topic: topic, partition: 0, offset: 5)])
        }
        await consumer.close()
    }
}
