import Kafka
import Testing

@Suite("Admin")
struct AdminTests {
    @Test("metadata lists the embedded broker's topics with their partition counts")
    func metadataListsTopics() async throws {
        let name = uniqueName("meta")
        let broker = try EmbeddedKafka(
            brokers: 2,
            topics: [KafkaTopicSpec(name: name, partitions: 5), KafkaTopicSpec(name: name + ".b", partitions: 2)])
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let topics = try await admin.topics()
        #expect(topics[name] == 5)
        #expect(topics[name + ".b"] == 2)
    }

    @Test("CreateTopics on a broker that does not support it fails with an error naming the request")
    func createTopicsUnsupportedIsReported() async throws {
        // librdkafka 2.0.2's mock cluster does not implement CreateTopics; a real cluster does.
        let broker = try EmbeddedKafka()
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrapServers))
        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopics(
                [KafkaTopicSpec(name: uniqueName("new"), partitions: 3)], timeoutMilliseconds: 2_000)
        }
        #expect(error?.code == .admin || error?.code == .timedOut)
        print("CreateTopics on the mock cluster: \(error.map(String.init(describing:)) ?? "-")")
    }
}
