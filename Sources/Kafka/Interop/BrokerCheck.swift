import CRdKafka

extension RDKafkaClient {
    /// One metadata request: whether a broker answers now. Updates the context's broker problem
    /// either way, so readiness follows the answer.
    func checkBroker(timeoutMilliseconds: Int32) async -> Bool {
        let handle = SendablePointer(self.handle)
        let problem = await blocking.run { () -> String? in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.pointer, 0, nil, &metadata, timeoutMilliseconds)
            if let metadata { rd_kafka_metadata_destroy(metadata) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return "no Kafka broker answered: \(String(cString: rd_kafka_err2str(err)))"
            }
            return nil
        }
        context.brokerProblem.withLock { $0 = problem }
        return problem == nil
    }
}
