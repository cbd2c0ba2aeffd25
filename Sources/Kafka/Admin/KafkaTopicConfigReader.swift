import CRdKafka
public import Logging

/// Reads topic configs (`cleanup.policy`, `retention.ms`, ...) with DescribeConfigs, so a
/// diagnosis can say whether a compacted topic really is compacted. Brokers that do not answer
/// DescribeConfigs (the embedded mock cluster) make it throw ``KafkaError`` with
/// `librdkafkaCode` `_UNSUPPORTED_FEATURE` or a timeout; callers report "not checked".
public final class KafkaTopicConfigReader: Sendable {
    private let client: RDKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "inboxwatch.kafka.admin"))
        throws(KafkaError)
    {
        client = try RDKafkaClient.make(
            kind: .producer, configuration: configuration, context: ClientContext(logger: logger))
    }

    /// The configs of each topic named, as the broker reports them (defaults included).
    public func configs(of topics: [String], timeoutMilliseconds: Int32 = 10_000) async throws(KafkaError)
        -> [String: [String: String]]
    {
        let handle = SendablePointer(client.handle)
        return try await client.blocking.run { () throws(KafkaError) -> [String: [String: String]] in
            try describeBlocking(handle.pointer, topics, timeoutMilliseconds)
        }
    }
}

private func describeBlocking(_ handle: OpaquePointer, _ topics: [String], _ timeout: Int32) throws(KafkaError)
    -> [String: [String: String]]
{
    var errorBuffer = [CChar].errorBuffer()
    var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
    defer { for resource in resources { rd_kafka_ConfigResource_destroy(resource) } }
    let queue = rd_kafka_queue_new(handle)
    defer { rd_kafka_queue_destroy(queue) }
    let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
    defer { rd_kafka_AdminOptions_destroy(options) }
    _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout, &errorBuffer, errorBuffer.count)
    rd_kafka_DescribeConfigs(handle, &resources, resources.count, options, queue)

    guard let event = rd_kafka_queue_poll(queue, timeout + 5_000) else {
        throw KafkaError(code: .timedOut, message: "DescribeConfigs got no answer within \(timeout) ms")
    }
    defer { rd_kafka_event_destroy(event) }
    let eventError = rd_kafka_event_error(event)
    guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
        let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
        throw KafkaError.from(eventError, code: .admin, context: "DescribeConfigs failed (\(text))")
    }
    guard let result = rd_kafka_event_DescribeConfigs_result(event) else {
        throw KafkaError(code: .admin, message: "DescribeConfigs answered with an unexpected event")
    }
    var count = 0
    guard let described = rd_kafka_DescribeConfigs_result_resources(result, &count) else { return [:] }
    var configs: [String: [String: String]] = [:]
    for index in 0..<count {
        guard let resource = described[index] else { continue }
        let name = String(cString: rd_kafka_ConfigResource_name(resource))
        let err = rd_kafka_ConfigResource_error(resource)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) } ?? ""
            throw KafkaError.from(err, code: .admin, context: "DescribeConfigs of topic \(name) (\(text))")
        }
        var entryCount = 0
        var values: [String: String] = [:]
        if let entries = rd_kafka_ConfigResource_configs(resource, &entryCount) {
            for entryIndex in 0..<entryCount {
                guard let entry = entries[entryIndex], let key = rd_kafka_ConfigEntry_name(entry) else { continue }
                values[String(cString: key)] = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) } ?? ""
            }
        }
        configs[name] = values
    }
    return configs
}
