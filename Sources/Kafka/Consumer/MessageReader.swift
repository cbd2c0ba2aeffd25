import CRdKafka
import Logging

/// Copies librdkafka messages into Swift values, remembering topic names for
/// the length of one fetch so each is decoded once.
struct MessageReader {
    private var topicNames: [OpaquePointer: String] = [:]

    /// The message, or nil for an error librdkafka reports through the
    /// message channel and recovers from itself; throws on a fatal one.
    mutating func read(_ raw: UnsafeMutablePointer<rd_kafka_message_t>, logger: Logger) throws(KafkaError)
        -> KafkaConsumerMessage?
    {
        let message = raw.pointee
        let topic = topicName(message.rkt)
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
            let error = KafkaError.from(
                message.err, code: .consumer, context: "consuming \(topic)[\(message.partition)]",
                isFatal: message.err == RD_KAFKA_RESP_ERR__FATAL)
            if error.isFatal { throw error }
            logger.warning("\(error)")
            return nil
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(raw, &timestampType)
        return KafkaConsumerMessage(
            topic: topic,
            partition: message.partition,
            offset: message.offset,
            key: bytes(message.key, message.key_len),
            value: bytes(message.payload, message.len),
            headers: headers(raw),
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }

    private mutating func topicName(_ topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if let name = topicNames[topic] { return name }
        let name = String(cString: rd_kafka_topic_name(topic))
        topicNames[topic] = name
        return name
    }

    private func bytes(_ pointer: UnsafeRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private func headers(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(raw, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            result.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: bytes(value, size)))
            index += 1
        }
        return result
    }
}
