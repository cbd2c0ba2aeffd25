import ArgumentParser
import Foundation
import Kafka
import Logging

/// Measures our producer and consumer against a broker, in the same shape as
/// librdkafka's `rdkafka_performance` (records of a fixed size from one reused
/// buffer), and checks that every record sent was received: each key carries
/// the record's sequence number.
@main
struct KafkaThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Throughput of the Inboxwatch Kafka layer.",
        subcommands: [Produce.self, Consume.self]
    )
}

struct Common: ParsableArguments {
    @Option(help: "Bootstrap servers.") var bootstrap: String
    @Option(help: "Topic to use.") var topic: String
    @Option(help: "Number of records.") var messages: Int = 100_000
    @Option(name: .customLong("property"), help: "A librdkafka property KEY=VALUE (repeatable).")
    var properties: [String] = []

    /// librdkafka's debug output (`--property debug=...`) is logged at debug level.
    var logger: Logger {
        var logger = Logger(label: "kafka-throughput") { _ in ElapsedLogHandler() }
        logger.logLevel = properties.contains { $0.hasPrefix("debug=") } ? .debug : .info
        return logger
    }

    func configuration(_ defaults: [String: String] = [:]) -> KafkaConfiguration {
        var pairs = defaults
        for property in properties {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { pairs[parts[0]] = parts[1] }
        }
        return KafkaConfiguration(bootstrapServers: bootstrap, properties: pairs)
    }
}

func report(role: String, messages: Int, bytes: Int, seconds: Double, lost: Int) {
    let rate = Double(messages) / seconds
    let megabytes = Double(bytes) / 1_048_576 / seconds
    print(
        "RESULT role=\(role) messages=\(messages) seconds=\(String(format: "%.3f", seconds)) "
            + "msgs_per_sec=\(Int(rate)) mb_per_sec=\(String(format: "%.1f", megabytes)) lost=\(lost)")
}

struct Produce: AsyncParsableCommand {
    @OptionGroup var common: Common
    @Option(help: "Value size in bytes.") var size: Int = 1024
    @Option(help: "Records per send call.") var batch: Int = 50_000
    @Option(help: "Send calls in flight at once.") var inFlight: Int = 2

    func run() async throws {
        // Our defaults, untouched. Each record's key is its sequence number (so the
        // consumer can check that every record arrived, and murmur2 spreads them over
        // the partitions); every value shares one buffer, as rdkafka_performance reuses one.
        let producer = try KafkaProducer(configuration: common.configuration())
        let value = [UInt8](repeating: 0x61, count: size)
        let topic = common.topic
        func record(_ n: Int) -> KafkaProducerRecord {
            let key = withUnsafeBytes(of: UInt64(n).bigEndian) { Array($0) }
            return KafkaProducerRecord(topic: topic, key: key, value: value)
        }
        let batches = stride(from: 0, to: common.messages, by: batch).map { start in
            (start..<min(start + batch, common.messages)).map(record)
        }
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(inFlight, batches.count) {
                let records = batches[next]
                next += 1
                group.addTask { try await producer.send(contentsOf: records) }
            }
            while try await group.next() != nil, next < batches.count {
                let records = batches[next]
                next += 1
                group.addTask { try await producer.send(contentsOf: records) }
            }
        }
        let seconds = (clock.now - started).seconds
        await producer.close()
        report(role: "produce", messages: common.messages, bytes: common.messages * size, seconds: seconds, lost: 0)
    }
}

struct Consume: AsyncParsableCommand {
    @OptionGroup var common: Common
    @Option(help: "Consumer group id.") var group: String = "inboxwatch-bench-\(UUID().uuidString.prefix(8))"
    @Option(help: "Give up after this many seconds without completing.") var timeout: Double = 120

    func run() async throws {
        let consumer = try KafkaConsumer(
            configuration: common.configuration(),
            groupID: group, topics: [common.topic], maxBatch: 1_024, logger: common.logger)
        let expected = common.messages
        // The count races a deadline, so a broker that lost records ends in a report, not a hang.
        let tally = try await withThrowingTaskGroup(of: Tally?.self) { tasks in
            tasks.addTask { try await Tally.read(consumer, expected: expected) }
            tasks.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await tasks.next()!
            tasks.cancelAll()
            return first
        }
        await consumer.close()
        guard let tally else {
            report(role: "consume", messages: 0, bytes: 0, seconds: timeout, lost: expected)
            throw ExitCode(1)
        }
        report(
            role: "consume", messages: tally.unique, bytes: tally.bytes, seconds: tally.seconds,
            lost: expected - tally.unique)
    }
}

/// What the consumer received: distinct sequence numbers, bytes, and the time
/// from the first record to the last (group join excluded, as the raw tool does).
struct Tally: Sendable {
    var unique = 0
    var bytes = 0
    var seconds = 0.0

    static func read(_ consumer: KafkaConsumer, expected: Int) async throws -> Tally {
        var tally = Tally()
        var seen = [Bool](repeating: false, count: expected)
        let clock = ContinuousClock()
        var first: ContinuousClock.Instant?
        let started = clock.now
        for try await event in consumer.events {
            guard case .message(let message) = event else {
                let at = (clock.now - started).seconds
                FileHandle.standardError.write(Data("\(String(format: "%.3f", at)) s: \(event)\n".utf8))
                continue
            }
            if first == nil { first = clock.now }
            // Read in place, as a decoder would: like the raw tool, nothing is copied.
            tally.bytes += message.withUnsafeValue { $0?.count ?? 0 }
            let n = message.withUnsafeKey { key in key.map { $0.prefix(8).reduce(0) { ($0 << 8) | Int($1) } } ?? -1 }
            if n >= 0, n < expected, !seen[n] {
                seen[n] = true
                tally.unique += 1
            }
            if tally.unique == expected { break }
        }
        tally.seconds = (first.map { clock.now - $0 } ?? .zero).seconds
        return tally
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// Prints log lines with milliseconds since start, to see where time goes.
struct ElapsedLogHandler: LogHandler {
    static let start = ContinuousClock.now
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let at = (ContinuousClock.now - Self.start).seconds
        FileHandle.standardError.write(Data("\(String(format: "%.4f", at)) \(event.message)\n".utf8))
    }
}
