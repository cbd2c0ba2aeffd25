import CRdKafka
public import Logging

/// Reads chosen partitions from their start to the end they have now, then stops — without
/// joining a consumer group, so it costs no group join (about 3 s on the embedded broker) and
/// disturbs no one's assignment.
///
/// For restoring state a stage owns by partition: the correlator reads its state topic's
/// partitions when they are assigned to it, before it processes their input.
public enum KafkaPartitionReader {
    /// Calls `onMessage` with every message of `partitions`, in offset order per partition;
    /// returns once each has been read up to the high watermark it had at the start.
    public static func read(
        _ partitions: [KafkaTopicPartition], configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "inboxwatch.kafka.partition-reader"),
        onMessage: (KafkaConsumerMessage) throws(KafkaError) -> Void
    ) async throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        var configuration = configuration.withDefaults(KafkaConfiguration.consumerDefaults)
        // librdkafka needs a group id for a consumer handle; nothing is ever committed to it.
        configuration["group.id"] = configuration["group.id"] ?? "inboxwatch.partition-reader"
        configuration["enable.auto.commit"] = "false"
        configuration["enable.auto.offset.store"] = "false"
        // The end is where the fetcher says it is: a last offset taken by a transaction marker
        // (real Kafka) holds no message to wait for.
        configuration["enable.partition.eof"] = "true"
        let client = try RDKafkaClient.make(
            kind: .consumer, configuration: configuration, context: ClientContext(logger: logger))
        let handle = SendablePointer(client.handle)
        var remaining: [KafkaTopicPartition: Int64] = [:]
        var starts: [KafkaOffset] = []
        for partition in partitions {
            let (low, high) = try await client.blocking.run { () throws(KafkaError) -> KafkaWatermarks in
                var low: Int64 = -1
                var high: Int64 = -1
                let err = rd_kafka_query_watermark_offsets(
                    handle.pointer, partition.topic, partition.partition, &low, &high, 10_000)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.from(err, code: .consumer, context: "query watermarks of \(partition)")
                }
                return KafkaWatermarks(low: low, high: high)
            }.pair
            guard high > low else { continue }
            remaining[partition] = high
            starts.append(KafkaOffset(topicPartition: partition, offset: low))
        }
        defer {
            client.blocking.async {
                rd_kafka_consumer_close(handle.pointer)
                withExtendedLifetime(client) {}
            }
        }
        guard !starts.isEmpty else { return }
        try TopicPartitionList.with(starts) { (list) throws(KafkaError) in
            let err = rd_kafka_assign(handle.pointer, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(err, code: .consumer, context: "assign \(starts)")
            }
        }
        var reader = MessageReader()
        while !remaining.isEmpty {
            if Task.isCancelled { throw KafkaError(code: .consumer, message: "reading \(partitions) was cancelled") }
            let raw = await client.blocking.run { () -> SendableMessage? in
                rd_kafka_consumer_poll(handle.pointer, 100).map(SendableMessage.init)
            }
            guard let raw else { continue }
            if raw.pointer.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF, let topic = raw.pointer.pointee.rkt {
                let partition = KafkaTopicPartition(
                    topic: String(cString: rd_kafka_topic_name(topic)), partition: raw.pointer.pointee.partition)
                rd_kafka_message_destroy(raw.pointer)
                remaining[partition] = nil
                continue
            }
            guard let message = try reader.read(raw.pointer, client: client, logger: logger) else { continue }
            guard let end = remaining[message.topicPartition] else { continue }
            try onMessage(message)
            if message.offset >= end - 1 { remaining[message.topicPartition] = nil }
        }
    }
}

/// A fetched message crossing from the blocking executor to the caller, who takes ownership.
private struct SendableMessage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<rd_kafka_message_t>
}
