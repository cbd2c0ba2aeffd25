import CRdKafka
import Dispatch
public import Logging
import Synchronization

/// Writes records to Kafka: idempotent, `acks=all`, murmur2 partitioning by default.
///
/// `send` returns once the broker acknowledged every record given to it, so a
/// caller can send one record, or thousands in one call for throughput, and
/// still learn the fate of each. A failed delivery is always thrown, never dropped.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    private let topics: Mutex<[String: SendablePointer]> = Mutex([:])
    private let loop: DeliveryLoop
    public let configuration: KafkaConfiguration

    /// Creates a producer. Fails at once, with librdkafka's message, on an unknown
    /// or invalid property.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "inboxwatch.kafka.producer"))
        throws(KafkaError)
    {
        self.configuration = configuration.withDefaults(KafkaConfiguration.producerDefaults)
        logger.debug("creating producer", metadata: ["config": "\(self.configuration)"])
        client = try RDKafkaClient.make(
            kind: .producer, configuration: self.configuration, context: ClientContext(logger: logger)
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        loop = DeliveryLoop(client: client)
    }

    /// Sends one record and returns where the broker stored it.
    @discardableResult
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        try await send(contentsOf: [record])[0]
    }

    /// Sends many records, enqueuing all of them before waiting, and returns
    /// their reports in order. If any record fails, throws an error naming how many
    /// failed and why; the others may have been written.
    @discardableResult
    public func send(contentsOf records: [KafkaProducerRecord]) async throws(KafkaError) -> [KafkaDeliveryReport] {
        guard !records.isEmpty else { return [] }
        guard loop.isRunning else {
            throw KafkaError(code: .closed, message: "the producer is closed; records were not sent")
        }
        let batch = DeliveryBatch(count: records.count)
        // Every record gets a report (from librdkafka, or here when it refuses one), and
        // the batch is awaited in every case: its tickets are what the callbacks point to.
        var next = 0
        while next < records.count {
            next = enqueue(records, from: next, batch: batch)
            if next < records.count { await waitForSpace() }
        }
        await batch.wait()
        return try reports(of: batch, records: records)
    }

    /// Hands records to librdkafka from `start` on, until all are handed over or its
    /// local queue is full; returns the index of the first record not yet handed over.
    /// Synchronous on purpose: the hot loop neither suspends nor blocks.
    private func enqueue(_ records: [KafkaProducerRecord], from start: Int, batch: DeliveryBatch) -> Int {
        var lastTopic: (name: String, handle: SendablePointer)?
        for index in start..<records.count {
            let record = records[index]
            let handle: SendablePointer
            if let lastTopic, lastTopic.name == record.topic {
                handle = lastTopic.handle
            } else {
                switch topicHandle(record.topic) {
                case .success(let found): handle = found
                case .failure(let err):
                    batch.complete(index: index, error: err, partition: record.partition ?? -1, offset: -1)
                    continue
                }
                lastTopic = (record.topic, handle)
            }
            let err = produce(
                record, topic: handle, opaque: UnsafeMutableRawPointer(batch.tickets.baseAddress! + index))
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL { return index }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                // librdkafka refused the record outright (too large, unknown partition, fatal
                // state): no delivery report will come, so its slot is completed here.
                batch.complete(index: index, error: err, partition: record.partition ?? -1, offset: -1)
            }
        }
        return records.count
    }

    private func reports(of batch: DeliveryBatch, records: [KafkaProducerRecord]) throws(KafkaError)
        -> [KafkaDeliveryReport]
    {
        var reports: [KafkaDeliveryReport] = []
        reports.reserveCapacity(records.count)
        var failures = 0
        var firstFailure: (Int, rd_kafka_resp_err_t)?
        var failedTopics: [String] = []
        for index in records.indices {
            let slot = batch.slot(index)
            if slot.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                failures += 1
                failedTopics.append(records[index].topic)
                if firstFailure == nil { firstFailure = (index, slot.error) }
            }
            reports.append(.init(topic: records[index].topic, partition: slot.partition, offset: slot.offset))
        }
        if failures < records.count {
            // A broker acknowledged records: it is reachable, whatever librdkafka said before.
            client.context.brokerProblem.withLock { $0 = nil }
            KafkaMetrics.count(
                KafkaMetrics.produced,
                topics: failures == 0
                    ? records.map(\.topic)
                    : records.indices.filter { batch.slot($0).error == RD_KAFKA_RESP_ERR_NO_ERROR }.map {
                        records[$0].topic
                    })
        }
        if failures > 0 { KafkaMetrics.count(KafkaMetrics.produceFailures, topics: failedTopics) }
        if let (index, err) = firstFailure {
            let context =
                records.count == 1
                ? "record for \(records[index].topic) was not delivered"
                : "\(failures) of \(records.count) records were not delivered (first: #\(index) for \(records[index].topic))"
            throw KafkaError.from(err, code: .delivery, context: context, isFatal: client.fatalError() != nil)
        }
        return reports
    }

    private func produce(
        _ record: KafkaProducerRecord, topic: SendablePointer, opaque: UnsafeMutableRawPointer
    ) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer? = nil
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let err = withOptionalBytes(record.key) { key in
            withOptionalBytes(record.value) { value in
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { fields in
                    fields.initialize(repeating: rd_kafka_vu_t())
                    fields[0].vtype = RD_KAFKA_VTYPE_RKT
                    fields[0].u.rkt = topic.pointer
                    fields[1].vtype = RD_KAFKA_VTYPE_PARTITION
                    fields[1].u.i32 = record.partition ?? RD_KAFKA_PARTITION_UA
                    fields[2].vtype = RD_KAFKA_VTYPE_VALUE
                    fields[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    fields[2].u.mem.size = value.count
                    fields[3].vtype = RD_KAFKA_VTYPE_KEY
                    fields[3].u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                    fields[3].u.mem.size = key.count
                    fields[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    fields[4].u.i = RD_KAFKA_MSG_F_COPY
                    fields[5].vtype = RD_KAFKA_VTYPE_OPAQUE
                    fields[5].u.ptr = opaque
                    var count = 6
                    if let headers {
                        fields[6].vtype = RD_KAFKA_VTYPE_HEADERS
                        fields[6].u.headers = headers
                        count = 7
                    }
                    guard let error = rd_kafka_produceva(client.handle, fields.baseAddress, count) else {
                        return RD_KAFKA_RESP_ERR_NO_ERROR
                    }
                    let code = rd_kafka_error_code(error)
                    rd_kafka_error_destroy(error)
                    return code
                }
            }
        }
        // On success librdkafka owns the headers; on failure they are still ours.
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return err
    }

    private func waitForSpace() async {
        await loop.waitForSpace()
    }

    /// A cached topic handle: looking a topic up by name for every record is slow.
    private func topicHandle(_ name: String) -> TopicLookup {
        guard !name.isEmpty else { return .failure(RD_KAFKA_RESP_ERR__INVALID_ARG) }
        return topics.withLock { cache -> TopicLookup in
            if let cached = cache[name] { return .success(cached) }
            guard let topic = rd_kafka_topic_new(client.handle, name, nil) else {
                return .failure(rd_kafka_last_error())
            }
            cache[name] = SendablePointer(topic)
            return .success(SendablePointer(topic))
        }
    }

    private enum TopicLookup {
        case success(SendablePointer)
        case failure(rd_kafka_resp_err_t)
    }

    /// Why the brokers look unreachable, or nil while they answer.
    public var brokerProblem: String? { client.context.brokerProblem.withLock { $0 } }

    /// Waits until every record handed to librdkafka so far has a delivery report.
    public func flush(timeoutMilliseconds: Int32 = 30_000) async throws(KafkaError) {
        let handle = SendablePointer(client.handle)
        try await client.blocking.run { () throws(KafkaError) in
            let err = rd_kafka_flush(handle.pointer, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let waiting = rd_kafka_outq_len(handle.pointer)
                throw KafkaError.from(err, code: .timedOut, context: "flush left \(waiting) records undelivered")
            }
        }
    }

    /// Flushes, then stops the producer. Records still undelivered after the
    /// timeout are purged and their senders receive an error.
    public func close(timeoutMilliseconds: Int32 = 30_000) async {
        guard loop.beginClosing() else { return }
        let handle = SendablePointer(client.handle)
        await client.blocking.run { () in
            if rd_kafka_flush(handle.pointer, timeoutMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
                rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
                rd_kafka_flush(handle.pointer, 1_000)
            }
        }
        await loop.stop()
        let handles = topics.withLock { cache in
            defer { cache.removeAll() }
            return Array(cache.values)
        }
        for topic in handles { rd_kafka_topic_destroy(topic.pointer) }
    }

    deinit {
        loop.requestStop()
        for topic in topics.withLock({ Array($0.values) }) { rd_kafka_topic_destroy(topic.pointer) }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return bytes.withUnsafeBytes(body)
}

private let deliveryReportCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, _ in
        guard let message, let opaque = message.pointee._private else { return }
        let ticket = opaque.assumingMemoryBound(to: DeliveryBatch.Ticket.self).pointee
        // The sender holds the batch until its last report: no retain needed per report.
        ticket.batch._withUnsafeGuaranteedRef {
            $0.complete(
                index: ticket.index,
                error: message.pointee.err,
                partition: message.pointee.partition,
                offset: message.pointee.offset
            )
        }
    }
