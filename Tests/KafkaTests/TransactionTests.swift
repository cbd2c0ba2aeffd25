import Kafka
import Testing

@Suite("Transactions")
struct TransactionTests {
    struct Fixture {
        let broker: EmbeddedKafka
        let input: String
        let output: String
        let producer: KafkaTransactionalProducer
        let consumer: KafkaConsumer

        init() async throws {
            input = uniqueName("txn-in")
            output = uniqueName("txn-out")
            broker = try EmbeddedKafka(
                brokers: 3,
                topics: [KafkaTopicSpec(name: input, partitions: 1), KafkaTopicSpec(name: output, partitions: 2)])
            producer = try KafkaTransactionalProducer(
                configuration: producerConfiguration(broker), transactionalID: uniqueName("txn"))
            consumer = try KafkaConsumer(
                configuration: consumerConfiguration(broker), groupID: uniqueName("txn-group"), topics: [input])
            try await producer.initTransactions()
        }

        func outputRecords(_ count: Int, from start: Int = 0) -> [KafkaProducerRecord] {
            records(topic: output, count: count, from: start)
        }

        func close() async {
            await consumer.close()
            await producer.close()
        }
    }

    @Test("records and consumer offsets commit together in one transaction")
    func consumeTransformProduceCommits() async throws {
        let fixture = try await Fixture()
        let seed = try KafkaProducer(configuration: producerConfiguration(fixture.broker))
        try await seed.send(contentsOf: records(topic: fixture.input, count: 10))
        await seed.close()
        let consumed = try await consume(fixture.consumer) { $0.messages.count >= 10 }.messages

        try await fixture.producer.withTransaction { () async throws(KafkaError) in
            try await fixture.producer.send(contentsOf: fixture.outputRecords(10))
            try await fixture.producer.sendOffsets(
                [consumed.last!.nextOffset], consumer: fixture.consumer)
        }

        let reader = try KafkaConsumer(
            configuration: consumerConfiguration(fixture.broker), groupID: uniqueName("reader"),
            topics: [fixture.output])
        let written = try await consume(reader) { $0.messages.count >= 10 }.messages
        #expect(Set(written.map(\.sequence)) == Set(0..<10))
        await reader.close()
        await fixture.close()
    }

    @Test("coordinator errors on EndTxn are retried inside librdkafka and the commit succeeds")
    func retriableCoordinatorErrorsAreAbsorbed() async throws {
        let fixture = try await Fixture()
        try fixture.producer.beginTransaction()
        try await fixture.producer.send(contentsOf: fixture.outputRecords(5))
        fixture.broker.pushRequestErrors(.endTxn, [.notCoordinator, .coordinatorNotAvailable, .concurrentTransactions])
        try await fixture.producer.commitTransaction()
        await fixture.close()
    }

    @Test("an authorization failure on AddPartitionsToTxn requires abort; after aborting, the next transaction commits")
    func abortableErrorRequiresAbortThenRecovers() async throws {
        let fixture = try await Fixture()
        try fixture.producer.beginTransaction()
        fixture.broker.pushRequestErrors(.addPartitionsToTxn, [.topicAuthorizationFailed])
        // The failure surfaces either on the records or on the commit, as librdkafka decides.
        var failure: KafkaError?
        do {
            try await fixture.producer.send(contentsOf: fixture.outputRecords(5))
            try await fixture.producer.commitTransaction()
        } catch {
            failure = error
        }
        let commitError: KafkaError? =
            if failure?.code == .transaction { failure } else { await commitFailure(fixture.producer) }
        #expect(commitError?.requiresAbort == true)
        #expect(commitError?.isFatal == false)

        try await fixture.producer.abortTransaction()
        try await fixture.producer.withTransaction { () async throws(KafkaError) in
            try await fixture.producer.send(contentsOf: fixture.outputRecords(5, from: 5))
        }
        await fixture.close()
    }

    @Test("a fenced producer gets a fatal error and must be recreated")
    func fencedProducerIsFatal() async throws {
        let fixture = try await Fixture()
        try fixture.producer.beginTransaction()
        try await fixture.producer.send(contentsOf: fixture.outputRecords(5))
        fixture.broker.pushRequestErrors(.endTxn, [.producerFenced])
        let error = await #expect(throws: KafkaError.self) {
            try await fixture.producer.commitTransaction()
        }
        #expect(error?.isFatal == true)
        #expect(error?.code == .transaction)
        await fixture.close()
    }

    @Test("a commit that outlives its timeout is retriable, and retrying it commits")
    func commitTimeoutIsRetriable() async throws {
        let fixture = try await Fixture()
        try fixture.producer.beginTransaction()
        try await fixture.producer.send(contentsOf: fixture.outputRecords(5))
        for broker in Int32(1)...3 { try fixture.broker.setRoundTripTime(brokerID: broker, milliseconds: 1_500) }
        let error = await #expect(throws: KafkaError.self) {
            try await fixture.producer.commitTransaction(timeoutMilliseconds: 200)
        }
        #expect(error?.isRetriable == true)
        #expect(error?.requiresAbort == false)
        for broker in Int32(1)...3 { try fixture.broker.setRoundTripTime(brokerID: broker, milliseconds: 0) }
        try await fixture.producer.commitTransaction(timeoutMilliseconds: 30_000)
        await fixture.close()
    }

    /// Commits, expecting it to fail; returns the error.
    private func commitFailure(_ producer: KafkaTransactionalProducer) async -> KafkaError? {
        do {
            try await producer.commitTransaction()
            return nil
        } catch {
            return error
        }
    }
}
