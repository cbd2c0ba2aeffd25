import Kafka
import Testing

@Suite("Start offsets, seek, pause and resume")
struct PositionControlTests {
    @Test("a stage restoring state chooses where a newly assigned partition starts")
    func startOffsetsChosenOnAssignment() async throws {
        let topic = uniqueName("start")
        let broker = try EmbeddedKafka(topics: [KafkaTopicSpec(name: topic, partitions: 1)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        try await producer.send(contentsOf: records(topic: topic, count: 100))
        await producer.close()

        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(broker), groupID: uniqueName("g"), topics: [topic])
        let events = try await consume(
            consumer,
            until: { $0.messages.count >= 60 },
            onEvent: { event in
                if case .partitionsAssigned(let partitions) = event {
                    // As if a state snapshot said: offsets below 40 are already reflected.
                    consumer.setStartOffsets(partitions.map { KafkaOffset(topicPartition: $0, offset: 40) })
                }
            })
        await consumer.close()
        #expect(events.messages.first?.offset == 40)
        #expect(events.messages.map(\.sequence) == Array(40..<100))
    }

    @Test("seek moves the read position back; pause holds a partition until resume")
    func seekPauseAndResume() async throws {
        try await withDeadline { try await Self.seekPauseAndResumeBody() }
    }

    static func seekPauseAndResumeBody() async throws {
        let topic = uniqueName("seek")
        let broker = try EmbeddedKafka(topics: [KafkaTopicSpec(name: topic, partitions: 2)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(broker), groupID: uniqueName("g"), topics: [topic])
        let zero = KafkaTopicPartition(topic: topic, partition: 0)
        let one = KafkaTopicPartition(topic: topic, partition: 1)

        var iterator = consumer.events.makeAsyncIterator()
        while let event = try await iterator.next() {
            if case .partitionsAssigned(let partitions) = event {
                #expect(Set(partitions) == [zero, one])
                break
            }
        }
        // Paused while handling the assignment: nothing of it is fetched.
        try consumer.pause([zero])
        for n in 0..<20 {
            try await producer.send(
                KafkaProducerRecord(topic: topic, partition: Int32(n % 2), value: Array("\(n)".utf8)))
        }
        // Everything of partition 1 arrives while partition 0 is paused.
        var seen: [KafkaConsumerMessage] = []
        while seen.filter({ $0.partition == 1 }).count < 10, let event = try await iterator.next() {
            if case .message(let message) = event { seen.append(message) }
        }
        #expect(seen.allSatisfy { $0.partition == 1 })

        try consumer.resume([zero])
        while seen.filter({ $0.partition == 0 }).count < 10, let event = try await iterator.next() {
            if case .message(let message) = event { seen.append(message) }
        }
        #expect(seen.filter { $0.partition == 0 }.map(\.offset) == Array(0..<10))

        try await consumer.seek([KafkaOffset(topicPartition: one, offset: 5)])
        var replayed: [KafkaConsumerMessage] = []
        while replayed.count < 5, let event = try await iterator.next() {
            if case .message(let message) = event { replayed.append(message) }
        }
        #expect(replayed.map(\.offset) == Array(5..<10))
        #expect(replayed.allSatisfy { $0.partition == 1 })
        await consumer.close()
        await producer.close()
    }
}
