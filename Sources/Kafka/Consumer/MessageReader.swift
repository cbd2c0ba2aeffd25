import CRdKafka
import Logging

/// Turns librdkafka messages into Swift values.
struct MessageReader {
    /// Messages of one fetch mostly share a topic: one remembered name avoids hashing per message.
    private var lastTopic: (handle: OpaquePointer, name: String)?

    /// The message, or nil for an error librdkafka reports through the message
    /// channel and recovers from itself; throws on a fatal one. Takes ownership
    /// of `raw`: the message destroys it when the last copy is gone.
    mutating func read(_ raw: UnsafeMutablePointer<rd_kafka_message_t>, client: RDKafkaClient, logger: Logger)
        throws(KafkaError) -> KafkaConsumerMessage?
    {
        let owned = RDKafkaMessage(raw, client: client)
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
            topic: topic, raw: owned,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
    }

    private mutating func topicName(_ topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if let lastTopic, lastTopic.handle == topic { return lastTopic.name }
        let name = String(cString: rd_kafka_topic_name(topic))
        lastTopic = (topic, name)
        return name
    }
}
