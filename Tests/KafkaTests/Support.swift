import Foundation
import Kafka
import Testing

/// Settings that keep group tests quick on the embedded broker: a short session
/// so a departed member's partitions move on in seconds, not 45 s.
func consumerConfiguration(_ broker: EmbeddedKafka, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    KafkaConfiguration(
        bootstrapServers: broker.bootstrapServers,
        properties: [
            "session.timeout.ms": "6000",
            "heartbeat.interval.ms": "500",
            "topic.metadata.refresh.interval.ms": "1000",
        ].merging(extra) { _, new in new }
    )
}

func producerConfiguration(_ broker: EmbeddedKafka, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    KafkaConfiguration(bootstrapServers: broker.bootstrapServers, properties: extra)
}

func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Produces `count` records spread over keys, each value its sequence number.
func records(topic: String, count: Int, keys: Int = 16, from start: Int = 0) -> [KafkaProducerRecord] {
    (start..<(start + count)).map { n in
        KafkaProducerRecord(
            topic: topic, key: "tenant/user\(n % keys)", value: Array("\(n)".utf8),
            headers: [KafkaHeader(key: "ce_id", string: "id-\(n)")])
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Reads events until `done` says enough, failing (not hanging) after `seconds`.
func consume(
    _ consumer: KafkaConsumer,
    seconds: Double = 30,
    until done: @escaping @Sendable ([KafkaConsumerEvent]) -> Bool,
    onEvent: @escaping @Sendable (KafkaConsumerEvent) async throws -> Void = { _ in }
) async throws -> [KafkaConsumerEvent] {
    try await withThrowingTaskGroup(of: [KafkaConsumerEvent].self) { group in
        group.addTask {
            var seen: [KafkaConsumerEvent] = []
            for try await event in consumer.events {
                seen.append(event)
                try await onEvent(event)
                if done(seen) { return seen }
            }
            return seen
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(description: "condition not met within \(seconds) s")
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

extension [KafkaConsumerEvent] {
    var messages: [KafkaConsumerMessage] {
        compactMap { if case .message(let m) = $0 { m } else { nil } }
    }
}

extension KafkaConsumerMessage {
    var sequence: Int { Int(String(decoding: value ?? [], as: UTF8.self)) ?? -1 }
}

/// Runs `body`, failing (instead of hanging the suite) if it takes longer than `seconds`.
func withDeadline<T: Sendable>(seconds: Double = 60, _ body: @escaping @Sendable () async throws -> T) async throws -> T
{
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next(), let value = result else {
            throw TimedOut(description: "did not finish within \(seconds) s")
        }
        return value
    }
}
