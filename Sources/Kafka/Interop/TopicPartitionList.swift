import CRdKafka

/// Conversions between Swift offsets and `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    typealias Pointer = UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// A new list the caller must free with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ offsets: [KafkaOffset]) -> Pointer {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for entry in offsets {
            let element = rd_kafka_topic_partition_list_add(
                list, entry.topicPartition.topic, entry.topicPartition.partition)!
            element.pointee.offset = entry.offset
        }
        return list
    }

    /// Runs `body` with a temporary list.
    static func with<T, E: Error>(_ offsets: [KafkaOffset], _ body: (Pointer) throws(E) -> T) throws(E) -> T {
        let list = make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }

    static func offsets(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [KafkaOffset] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return KafkaOffset(
                topic: String(cString: element.topic), partition: element.partition, offset: element.offset)
        }
    }

    /// The first per-partition error in a list librdkafka filled in, if any.
    static func firstError(
        of list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> (KafkaTopicPartition, rd_kafka_resp_err_t)? {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return (.init(topic: String(cString: element.topic), partition: element.partition), element.err)
            }
        }
        return nil
    }
}

extension Array where Element == CChar {
    /// A buffer librdkafka writes an error message into.
    static func errorBuffer() -> [CChar] { .init(repeating: 0, count: 512) }

    /// The NUL-terminated text librdkafka wrote.
    var cText: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
