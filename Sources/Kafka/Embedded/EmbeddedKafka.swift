import CRdKafka
public import Logging

/// A Kafka broker in this process: librdkafka's mock cluster, a real Kafka
/// protocol server on loopback that any client (ours, kcat, other processes) can
/// use, with the topic catalog created and faults injectable for tests.
///
/// Limits of librdkafka 2.0.2's mock cluster (see DESIGN.md): no transaction
/// markers, no CreateTopics, no compaction, about 5 MiB kept per partition.
/// Unchecked Sendable: immutable, and the mock cluster API is thread-safe.
public final class EmbeddedKafka: @unchecked Sendable {
    private let host: RDKafkaClient
    private let cluster: OpaquePointer
    /// The `host:port,...` list clients connect to.
    public let bootstrapServers: String
    public let brokerCount: Int32

    /// Starts `brokers` brokers on loopback ports chosen by the system.
    public init(
        brokers: Int32 = 1,
        topics: [KafkaTopicSpec] = [],
        logger: Logger = Logger(label: "inboxwatch.kafka.embedded")
    ) throws(KafkaError) {
        guard brokers >= 1 else {
            throw KafkaError(code: .invalidArgument, message: "the embedded broker needs at least one broker")
        }
        // The mock cluster is served by the threads of a client handle; this one is never used to produce.
        host = try RDKafkaClient.make(
            kind: .producer,
            configuration: KafkaConfiguration(bootstrapServers: "", properties: ["log.connection.close": "false"]),
            context: ClientContext(logger: logger)
        )
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, brokers) else {
            throw KafkaError(code: .embeddedBroker, message: "librdkafka could not start the mock cluster")
        }
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        for topic in topics { try createTopic(topic) }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic. The mock cluster ignores topic configs (it neither
    /// compacts nor expires), so only the partition count and replicas matter.
    public func createTopic(_ spec: KafkaTopicSpec) throws(KafkaError) {
        let replicas = Int32(min(Int32(spec.replicationFactor), brokerCount))
        try check(
            rd_kafka_mock_topic_create(cluster, spec.name, spec.partitions, replicas),
            "create topic \(spec.name) with \(spec.partitions) partitions"
        )
    }

    /// Takes a broker off the network: its connections drop and it refuses new ones.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster, brokerID), "take broker \(brokerID) down")
    }

    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster, brokerID), "bring broker \(brokerID) up")
    }

    /// Moves a partition's leadership, as a broker failover or reassignment would.
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID),
            "move leader of \(topic)[\(partition)] to broker \(brokerID)"
        )
    }

    /// Delays every response from a broker.
    public func setRoundTripTime(brokerID: Int32, milliseconds: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_rtt(cluster, brokerID, milliseconds), "set broker \(brokerID) latency")
    }

    /// The next requests of type `api` (on any broker) are answered with these errors, in order.
    public func pushRequestErrors(_ api: KafkaAPIKey, _ errors: [KafkaProtocolError]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, codes.count, &codes)
    }

    /// Makes the given broker the group or transaction coordinator for `key`.
    public func setCoordinator(type: String, key: String, brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_coordinator_set(cluster, type, key, brokerID), "set \(type) coordinator for \(key)")
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, code: .embeddedBroker, context: "embedded broker could not \(what)")
        }
    }
}
