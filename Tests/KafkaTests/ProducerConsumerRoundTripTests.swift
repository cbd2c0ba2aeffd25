import Kafka
import Testing

@Suite("Producer and consumer round trip")
struct ProducerConsumerRoundTripTests {
    @Test("records come back with their keys and headers, in order within each partition")
    func roundTripKeepsKeysHeadersAndPartitionOrder() async throws {
        let topic = uniqueName("roundtrip")
        let broker = try EmbeddedKafka(brokers: 1, topics: [KafkaTopicSpec(name: topic, partitions: 4)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        let sent = records(topic: topic, count: 400)
        let reports = try await producer.send(contentsOf: sent)
        #expect(reports.count == 400)
        #expect(reports.allSatisfy { $0.offset >= 0 && (0..<4).contains($0.partition) })
        await producer.close()

        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(broker), groupID: uniqueName("g"), topics: [topic])
        let events = try await consume(consumer) { $0.messages.count >= 400 }
        await consumer.close()

        let received = events.messages
        #expect(received.count == 400)
        #expect(Set(received.map(\.sequence)) == Set(0..<400))
        for message in received {
            let n = message.sequence
            #expect(message.keyString == "tenant/user\(n % 16)")
            #expect(message.headers.last(named: "ce_id")?.stringValue == "id-\(n)")
            #expect(message.lastHeaderText(named: "ce_id") == "id-\(n)", "one header read on its own")
            #expect(message.lastHeaderText(named: "no-such-header") == nil)
        }
        // Same key → same partition, and each partition preserves send order.
        let byPartition = Dictionary(grouping: received, by: \.partition)
        for (_, messages) in byPartition {
            #expect(messages.map(\.sequence) == messages.map(\.sequence).sorted())
            #expect(messages.map(\.offset) == messages.map(\.offset).sorted())
        }
        let partitionsOfKey = Dictionary(grouping: received, by: \.keyString).mapValues { Set($0.map(\.partition)) }
        #expect(partitionsOfKey.values.allSatisfy { $0.count == 1 })
        #expect(events.contains(.partitionsAssigned((0..<4).map { KafkaTopicPartition(topic: topic, partition: $0) })))
    }
}
