import CRdKafka

/// Consumer lag per partition (high watermark − position), as a gauge per assigned partition.
///
/// Read from what librdkafka already holds (the watermarks its fetch responses carry and the
/// consumer's position), so sampling costs no request to the broker. A partition not yet
/// fetched has no position and is not reported; a partition no longer assigned loses its gauge.
struct ConsumerLag: Sendable {
    private(set) var reported: Set<KafkaTopicPartition> = []
    private(set) var sampledAt: ContinuousClock.Instant?

    mutating func due(now: ContinuousClock.Instant, every interval: Duration) -> Bool {
        if let sampledAt, now - sampledAt < interval { return false }
        sampledAt = now
        return true
    }

    /// Samples `assignment` through `handle` and updates the gauges.
    mutating func sample(_ assignment: [KafkaTopicPartition], handle: OpaquePointer) {
        var positions: [KafkaTopicPartition: Int64] = [:]
        TopicPartitionList.with(assignment.map { KafkaOffset(topicPartition: $0, offset: -1001) }) { list in
            guard rd_kafka_position(handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
            for entry in TopicPartitionList.offsets(of: list) where entry.offset >= 0 {
                positions[entry.topicPartition] = entry.offset
            }
        }
        var now: Set<KafkaTopicPartition> = []
        for partition in assignment {
            guard let position = positions[partition] else { continue }
            var low: Int64 = -1
            var high: Int64 = -1
            guard
                rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
                    == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0
            else { continue }
            KafkaMetrics.lagGauge(partition).record(max(0, high - position))
            now.insert(partition)
        }
        for gone in reported.subtracting(assignment) { KafkaMetrics.lagGauge(gone).destroy() }
        reported = now.union(reported.intersection(assignment))
    }
}
