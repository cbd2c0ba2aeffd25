import CRdKafka
import Dispatch
import Logging
import Synchronization

/// Owns one `rd_kafka_t` handle. The only type that holds librdkafka's client
/// pointer; everything public sits on top of it. Unchecked because its stored
/// properties never change and librdkafka's handle may be used from any thread.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer
        case consumer

        var rdType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    let handle: OpaquePointer
    let context: ClientContext
    /// Blocking librdkafka calls (flush, commit, transactions, close) run here,
    /// never on Swift's cooperative threads.
    let blocking: BlockingExecutor

    private init(handle: OpaquePointer, context: ClientContext, label: String) {
        self.handle = handle
        self.context = context
        self.blocking = BlockingExecutor(label: label)
    }

    /// Creates a client, failing with librdkafka's own words on a bad property.
    static func make(
        kind: Kind,
        configuration: KafkaConfiguration,
        context: ClientContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> RDKafkaClient {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .clientCreation, message: "rd_kafka_conf_new returned nothing")
        }
        var errorBuffer = [CChar].errorBuffer()
        for (key, value) in configuration.properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let shown = KafkaConfiguration.isSecret(key) ? "<redacted>" : value
                throw KafkaError(
                    code: .configuration,
                    message: "property \(key)=\(shown) rejected: \(errorBuffer.cText)"
                )
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdErrorCallback)
        configure(conf)

        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(kind.rdType, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(
                code: .clientCreation,
                message: "librdkafka refused the configuration: \(errorBuffer.cText)"
            )
        }
        let name = String(cString: rd_kafka_name(handle))
        return RDKafkaClient(handle: handle, context: context, label: "inboxwatch.kafka.\(name)")
    }

    /// The first fatal error librdkafka raised on this client, if any.
    func fatalError() -> KafkaError? {
        var buffer = [CChar].errorBuffer()
        let err = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(
            code: .clientCreation,
            message: "fatal client error: \(buffer.cText)",
            librdkafkaCode: String(cString: rd_kafka_err2name(err)),
            isFatal: true
        )
    }

    deinit {
        // rd_kafka_destroy joins librdkafka's threads: keep that off the caller's thread.
        let doomed = SendablePointer(handle)
        let context = self.context
        BlockingExecutor.teardown.async {
            rd_kafka_destroy(doomed.pointer)
            withExtendedLifetime(context) {}
        }
    }
}

/// Shared by librdkafka's callbacks through the configuration opaque.
final class ClientContext: Sendable {
    let logger: Logger
    /// Decides whether the rebalance callback applies a rebalance itself or leaves
    /// it for the caller of the consumer.
    let rebalance: (@Sendable (RebalanceNotice) -> RebalanceDecision)?
    /// Why the brokers look unreachable (librdkafka reported all of them down), until something
    /// the broker answered says otherwise; nil while they answer. Read for readiness.
    let brokerProblem = Mutex<String?>(nil)

    init(logger: Logger, rebalance: (@Sendable (RebalanceNotice) -> RebalanceDecision)? = nil) {
        self.logger = logger
        self.rebalance = rebalance
    }

    static func of(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        opaque.map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// A rebalance as librdkafka announced it, with the partitions copied out.
struct RebalanceNotice: Sendable {
    enum Kind: Sendable {
        case assign
        case revoke(lost: Bool)
        case error(String)
    }
    var kind: Kind
    var partitions: [KafkaOffset]
    var isCooperative: Bool
}

enum RebalanceDecision { case applyNow, deferToCaller }

/// Hands a rebalance to librdkafka the way its protocol (eager or cooperative)
/// wants; returns what went wrong, if anything.
func applyRebalance(_ handle: OpaquePointer, _ notice: RebalanceNotice) -> String? {
    TopicPartitionList.with(notice.partitions) { list -> String? in
        switch (notice.kind, notice.isCooperative) {
        case (.assign, true):
            return rd_kafka_incremental_assign(handle, list).map {
                KafkaError.consuming($0, code: .consumer, context: "incremental assign").description
            }
        case (.assign, false):
            return describe(rd_kafka_assign(handle, list))
        case (.revoke, true):
            return rd_kafka_incremental_unassign(handle, list).map {
                KafkaError.consuming($0, code: .consumer, context: "incremental unassign").description
            }
        case (.revoke, false), (.error, _):
            return describe(rd_kafka_assign(handle, nil))
        }
    }
}

private func describe(_ err: rd_kafka_resp_err_t) -> String? {
    err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2str(err))
}

/// A C pointer moved across threads on purpose; the owner guarantees its lifetime.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

private let rdLogCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
        rk, level, facility, message in
        guard let rk, let context = ClientContext.of(rd_kafka_opaque(rk)) else { return }
        let text = message.map { String(cString: $0) } ?? ""
        let fac = facility.map { String(cString: $0) } ?? ""
        // syslog levels: 0-3 error, 4 warning, 5-6 notice/info, 7 debug.
        let swiftLevel: Logger.Level =
            switch level {
            case ...3: .error
            case 4: .warning
            case 5, 6: .info
            default: .debug
            }
        context.logger.log(level: swiftLevel, "\(text)", metadata: ["librdkafka.facility": "\(fac)"])
    }

private let rdErrorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, err, reason, opaque in
        guard let context = ClientContext.of(opaque) else { return }
        let code = rd_kafka_resp_err_t(rawValue: err)
        let name = String(cString: rd_kafka_err2name(code))
        let text = reason.map { String(cString: $0) } ?? ""
        // Broker connection errors are reported here and retried by librdkafka itself;
        // what the caller must act on surfaces through delivery reports and calls.
        if code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
            context.brokerProblem.withLock { $0 = "all Kafka brokers are down: \(text)" }
        }
        let level: Logger.Level = code == RD_KAFKA_RESP_ERR__FATAL ? .critical : .warning
        context.logger.log(level: level, "librdkafka: \(text)", metadata: ["librdkafka.error": "\(name)"])
    }
