import Kafka
import Testing

@Suite("Broker failures")
struct BrokerFailureTests {
    /// Reads the topic back with a fresh group and checks that it holds exactly
    /// the records 0..<expected, each once: no record lost, none written twice.
    func expectEachRecordOnce(_ broker: EmbeddedKafka, topic: String, partitions: Int32, expected: Int)
        async throws
    {
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(broker), groupID: uniqueName("verify"), topics: [topic])
        let events = try await consume(consumer, seconds: 60) { $0.messages.count >= expected }
        var stored = 0
        for partition in 0..<partitions {
            let (low, high) = try await consumer.watermarks(of: KafkaTopicPartition(topic: topic, partition: partition))
            stored += Int(high - low)
        }
        await consumer.close()
        let sequences = events.messages.map(\.sequence)
        #expect(stored == expected, "the topic holds \(stored) records for \(expected) sent: duplicates")
        #expect(sequences.count == expected)
        #expect(Set(sequences) == Set(0..<expected), "nothing lost")
    }

    @Test("a broker taken down mid-stream and brought back: every acknowledged record is read exactly once")
    func brokerDownAndUpKeepsExactlyOnce() async throws {
        let topic = uniqueName("outage")
        let broker = try EmbeddedKafka(
            brokers: 3, topics: [KafkaTopicSpec(name: topic, partitions: 6, replicationFactor: 3)])
        let producer = try KafkaProducer(
            configuration: producerConfiguration(broker, ["message.timeout.ms": "60000", "retry.backoff.ms": "50"]))
        try await producer.send(contentsOf: records(topic: topic, count: 500))

        try broker.setBrokerDown(1)
        // Sends that start while broker 1 is unreachable stay pending until it returns.
        let during = Task { try await producer.send(contentsOf: records(topic: topic, count: 500, from: 500)) }
        try await Task.sleep(for: .milliseconds(1_500))  // the length of the outage, not a wait for a result
        try broker.setBrokerUp(1)
        let reports = try await during.value
        #expect(reports.count == 500)
        try await producer.send(contentsOf: records(topic: topic, count: 500, from: 1_000))
        await producer.close()

        try await expectEachRecordOnce(broker, topic: topic, partitions: 6, expected: 1_500)
    }

    @Test("partition leaders moved mid-stream: every acknowledged record is read exactly once")
    func leaderMoveKeepsExactlyOnce() async throws {
        let topic = uniqueName("leader")
        let broker = try EmbeddedKafka(
            brokers: 3, topics: [KafkaTopicSpec(name: topic, partitions: 3, replicationFactor: 3)])
        let producer = try KafkaProducer(configuration: producerConfiguration(broker))
        let sending = Task {
            for batch in 0..<10 {
                try await producer.send(contentsOf: records(topic: topic, count: 100, from: batch * 100))
            }
        }
        for partition in Int32(0)..<3 {
            try broker.setPartitionLeader(topic: topic, partition: partition, brokerID: (partition + 1) % 3 + 1)
        }
        try await sending.value
        await producer.close()

        try await expectEachRecordOnce(broker, topic: topic, partitions: 3, expected: 1_000)
    }

    // A hang is what a user would notice; how long the failure takes on a loaded
    // machine is not (one CI run took 11 s for a 1.5 s timeout), so the time limit
    // only catches a send that never fails.
    @Test(
        "a producer pointed where nothing listens fails with a clear error instead of hanging",
        .timeLimit(.minutes(1)))
    func unreachableBrokerFailsInsteadOfHanging() async throws {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(
                bootstrapServers: "127.0.0.1:1", properties: ["message.timeout.ms": "1500", "log_level": "0"]))
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerRecord(topic: "nowhere", key: "k", value: Array("v".utf8)))
        }
        #expect(error?.code == .messageTimedOut)
        #expect(error?.isRetriable == true)
        #expect(error?.description.contains("timed out") == true)
        await producer.close(timeoutMilliseconds: 100)
    }
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test("an unknown property fails at creation with librdkafka's message")
    func unknownPropertyFailsAtCreation() {
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:9", properties: ["no.such.thing": "1"]))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("No such configuration property") == true)
        #expect(error?.message.contains("no.such.thing") == true)
    }

    @Test("an invalid value fails at creation and names the property")
    func invalidValueFailsAtCreation() {
        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(
                configuration: KafkaConfiguration(
                    bootstrapServers: "127.0.0.1:9", properties: ["session.timeout.ms": "soon"]),
                groupID: "g", topics: ["t"])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("session.timeout.ms") == true)
    }

    @Test("secret values never appear in descriptions or errors")
    func secretsAreRedacted() {
        let configuration = KafkaConfiguration(
            bootstrapServers: "broker:9093",
            properties: ["sasl.password": "hunter2", "sasl.username": "svc", "ssl.key.password": "k3y"])
        #expect(!configuration.description.contains("hunter2"))
        #expect(!configuration.description.contains("k3y"))
        #expect(configuration.description.contains("sasl.username=svc"))
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(
                configuration: KafkaConfiguration(
                    bootstrapServers: "b:1", properties: ["sasl.password": "hunter2", "acks": "bogus"]))
        }
        #expect(error?.description.contains("hunter2") == false)
    }
}
