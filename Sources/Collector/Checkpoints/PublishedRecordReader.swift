import Events
public import Foundation
public import Kafka
public import Logging

/// Reads back which record ids a collector already published, from the raw topic itself.
///
/// Kafka is the source of truth (DESIGN.md, principle 1): rather than keeping a second copy of
/// every recent id in the checkpoint, a collector that starts reads the tail of the raw topic's
/// partitions and collects the `ce_id` of each record whose `ce_source` is its own. So a record
/// acknowledged just before a crash is not published again after the restart, even when its
/// duplicate copy turns up in a blob the checkpoint never heard of.
///
/// The read is bounded: at most `perPartitionLimit` records from the end of each partition, and
/// only records Kafka time-stamped within the dedupe horizon count.
public enum PublishedRecordReader {
    /// Ids by `ce_source`, each with the Kafka timestamp of its record.
    public typealias PublishedIDs = [String: [(id: String, at: Date)]]

    public static func read(
        kafka: KafkaConfiguration, topic: String, sourcePrefix: String, horizonStart: Date, perPartitionLimit: Int,
        logger: Logger
    ) async throws(CollectorError) -> PublishedIDs {
        var found: PublishedIDs = [:]
        var scanned = 0
        do {
            try await KafkaTopicReader.read(
                topic, configuration: kafka, lastPerPartition: max(1, perPartitionLimit), logger: logger
            ) { message in
                scanned += 1
                collect(message, sourcePrefix: sourcePrefix, horizonStart: horizonStart, into: &found)
            }
        } catch {
            throw CollectorError(
                code: .checkpointFailed, message: "cannot read back \(topic): \(error)", isRetriable: error.isRetriable)
        }
        logger.info(
            "read back published record ids",
            metadata: [
                "topic": "\(topic)", "scanned": "\(scanned)", "ids": "\(found.values.reduce(0) { $0 + $1.count })",
            ])
        return found
    }

    private static func collect(
        _ message: KafkaConsumerMessage, sourcePrefix: String, horizonStart: Date, into found: inout PublishedIDs
    ) {
        let headers = message.headers
        guard let source = headers.last(named: "ce_source")?.stringValue, source.hasPrefix(sourcePrefix),
            let id = headers.last(named: "ce_id")?.stringValue
        else { return }
        let at = message.timestampMilliseconds.map { Date(millisecondsSince1970: $0) } ?? horizonStart
        guard at >= horizonStart else { return }
        found[source, default: []].append((id, at))
    }
}
