import CRdKafka
public import Logging

/// Creates topics on a real cluster and reads cluster metadata.
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "inboxwatch.kafka.admin"))
        throws(KafkaError)
    {
        client = try RDKafkaClient.make(
            kind: .producer, configuration: configuration, context: ClientContext(logger: logger))
    }

    /// What happened to one topic of a `createTopics` call.
    public enum TopicCreation: Sendable, Hashable {
        case created
        case alreadyExisted
    }

    /// Creates the topics (with their partition counts, replication and configs)
    /// and reports, per topic, whether it was created or already there. Any other
    /// per-topic failure is thrown, naming the topic.
    public func createTopics(_ specs: [KafkaTopicSpec], timeoutMilliseconds: Int32 = 30_000) async throws(KafkaError)
        -> [String: TopicCreation]
    {
        let handle = SendablePointer(client.handle)
        return try await client.blocking.run { () throws(KafkaError) -> [String: TopicCreation] in
            try createTopicsBlocking(handle.pointer, specs, timeoutMilliseconds)
        }
    }

    /// Topics the cluster knows, with their partition counts.
    public func topics(timeoutMilliseconds: Int32 = 10_000) async throws(KafkaError) -> [String: Int32] {
        let handle = SendablePointer(client.handle)
        return try await client.blocking.run { () throws(KafkaError) -> [String: Int32] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.pointer, 1, nil, &metadata, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError.from(err, code: .admin, context: "read cluster metadata")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            var result: [String: Int32] = [:]
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                result[String(cString: topic.topic)] = topic.partition_cnt
            }
            return result
        }
    }
}

private func createTopicsBlocking(_ handle: OpaquePointer, _ specs: [KafkaTopicSpec], _ timeout: Int32)
    throws(KafkaError) -> [String: KafkaAdmin.TopicCreation]
{
    var errorBuffer = [CChar].errorBuffer()
    var newTopics: [OpaquePointer?] = []
    defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
    for spec in specs {
        guard
            let topic = rd_kafka_NewTopic_new(
                spec.name, spec.partitions, Int32(spec.replicationFactor), &errorBuffer, errorBuffer.count)
        else {
            throw KafkaError(code: .admin, message: "topic \(spec.name): \(errorBuffer.cText)")
        }
        newTopics.append(topic)
        for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
            let err = rd_kafka_NewTopic_set_config(topic, key, value)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(err, code: .admin, context: "topic \(spec.name) config \(key)=\(value)")
            }
        }
    }
    let queue = rd_kafka_queue_new(handle)
    defer { rd_kafka_queue_destroy(queue) }
    let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
    defer { rd_kafka_AdminOptions_destroy(options) }
    _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout, &errorBuffer, errorBuffer.count)
    _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout, &errorBuffer, errorBuffer.count)
    rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)

    guard let event = rd_kafka_queue_poll(queue, timeout + 5_000) else {
        throw KafkaError(code: .timedOut, message: "CreateTopics got no answer within \(timeout) ms")
    }
    defer { rd_kafka_event_destroy(event) }
    let eventError = rd_kafka_event_error(event)
    guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
        let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
        throw KafkaError.from(eventError, code: .admin, context: "CreateTopics failed (\(text))")
    }
    guard let result = rd_kafka_event_CreateTopics_result(event) else {
        throw KafkaError(code: .admin, message: "CreateTopics answered with an unexpected event")
    }
    var count = 0
    let results = rd_kafka_CreateTopics_result_topics(result, &count)
    var outcome: [String: KafkaAdmin.TopicCreation] = [:]
    for index in 0..<count {
        let topicResult = results![index]
        let name = String(cString: rd_kafka_topic_result_name(topicResult))
        let err = rd_kafka_topic_result_error(topicResult)
        switch err {
        case RD_KAFKA_RESP_ERR_NO_ERROR: outcome[name] = .created
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome[name] = .alreadyExisted
        default:
            let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
            throw KafkaError.from(err, code: .admin, context: "create topic \(name) (\(text))")
        }
    }
    return outcome
}
