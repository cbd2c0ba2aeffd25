import Metrics

/// What the Kafka layer counts, through swift-metrics (a no-op until a process bootstraps a
/// backend). Labels stay low-cardinality: topic and partition, never keys or groups with ids.
enum KafkaMetrics {
    static let consumed = "inboxwatch_kafka_records_consumed_total"
    static let produced = "inboxwatch_kafka_records_produced_total"
    static let produceFailures = "inboxwatch_kafka_produce_failures_total"
    static let lag = "inboxwatch_kafka_consumer_lag"

    /// Counts a batch's records per topic: one counter update per topic, not per record.
    static func count(_ name: String, topics: some Sequence<String>) {
        var counts: [String: Int] = [:]
        for topic in topics { counts[topic, default: 0] += 1 }
        for (topic, count) in counts { Counter(label: name, dimensions: [("topic", topic)]).increment(by: count) }
    }

    static func lagGauge(_ partition: KafkaTopicPartition) -> Gauge {
        Gauge(label: lag, dimensions: [("topic", partition.topic), ("partition", String(partition.partition))])
    }
}

/// Counts records sent to the dead-letter topic, by the stage that gave up and its error class
/// (`inboxwatch_deadletters_total{stage,error_class}`): every worker dead-letters through Kafka,
/// so the counter lives here and each worker calls it where it writes a dead letter.
public enum DeadLetterMetrics {
    public static let name = "inboxwatch_deadletters_total"

    public static func count(stage: String, errorClass: String) {
        Counter(label: name, dimensions: [("stage", stage), ("error_class", errorClass)]).increment()
    }
}
