import Foundation
public import Logging

/// Reads a topic as it stands: every partition from its start (or its last `lastPerPartition`
/// records) up to the end it had when the partition was assigned, then stops.
///
/// For restoring state from a topic (a collector's published ids, a compacted table) and for
/// tests and benchmarks that check what a topic holds. It joins a group of its own (a fresh id
/// each time, nothing committed), so it never disturbs other consumers.
public enum KafkaTopicReader {
    /// Calls `onPartition` with each partition's watermarks when it is assigned, then
    /// `onMessage` with each message, in partition order; returns when every partition has been
    /// read to its end.
    public static func read(
        _ topic: String, configuration: KafkaConfiguration, lastPerPartition: Int? = nil,
        logger: Logger = Logger(label: "inboxwatch.kafka.reader"),
        onPartition: (KafkaTopicPartition, _ low: Int64, _ high: Int64) -> Void = { _, _, _ in },
        onMessage: (KafkaConsumerMessage) -> Void
    ) async throws(KafkaError) {
        var configuration = configuration
        configuration["isolation.level"] = configuration["isolation.level"] ?? "read_uncommitted"
        let consumer = try KafkaConsumer(
            configuration: configuration, groupID: "inboxwatch.reader.\(UUID().uuidString.lowercased())",
            topics: [topic], maxBatch: 1_024, logger: logger, countsRecords: false)
        var remaining: [KafkaTopicPartition: Int64] = [:]
        var assigned = false
        do {
            for try await event in consumer.events {
                switch event {
                case .partitionsAssigned(let partitions):
                    assigned = true
                    var starts: [KafkaOffset] = []
                    for partition in partitions {
                        let marks = try await consumer.watermarks(of: partition)
                        onPartition(partition, marks.low, marks.high)
                        guard marks.high > marks.low else { continue }
                        remaining[partition] = marks.high
                        if let last = lastPerPartition {
                            starts.append(
                                KafkaOffset(
                                    topicPartition: partition, offset: max(marks.low, marks.high - Int64(max(1, last))))
                            )
                        }
                    }
                    if !starts.isEmpty { consumer.setStartOffsets(starts) }
                case .message(let message):
                    if let end = remaining[message.topicPartition], message.offset >= end - 1 {
                        remaining[message.topicPartition] = nil
                    }
                    onMessage(message)
                case .partitionsRevoked:
                    break
                }
                if assigned && remaining.isEmpty { break }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }
}
