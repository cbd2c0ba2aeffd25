import CRdKafka

/// A message as librdkafka returned it, kept until the last Swift value that
/// refers to it is gone, so that bytes are copied only when someone reads them.
final class RDKafkaMessage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<rd_kafka_message_t>
    /// librdkafka's messages must all be destroyed before their client is.
    private let client: RDKafkaClient

    init(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>, client: RDKafkaClient) {
        self.pointer = pointer
        self.client = client
    }

    deinit {
        rd_kafka_message_destroy(pointer)
    }

    var key: UnsafeRawBufferPointer? {
        pointer.pointee.key.map { UnsafeRawBufferPointer(start: $0, count: pointer.pointee.key_len) }
    }

    var value: UnsafeRawBufferPointer? {
        pointer.pointee.payload.map { UnsafeRawBufferPointer(start: $0, count: pointer.pointee.len) }
    }

    /// Parsed on demand: librdkafka allocates a header list even for a message without headers.
    /// The value of the last header of that name, without reading the others.
    func lastHeader(named name: String) -> [UInt8]? {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(list, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let value else {
            return nil
        }
        return Array(UnsafeRawBufferPointer(start: value, count: size))
    }

    var headers: [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }
}
