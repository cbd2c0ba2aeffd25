public import Events
public import Foundation
public import Kafka
public import Logging

/// What an analyst's tools do with remediation: sign and publish a command (or an approval),
/// and read what became of commands on `inboxwatch.remediation.outcomes`. Used by
/// `inboxwatch remediate` and `inboxwatch outcomes`, and by tests that act as an analyst.
public struct RemediationClient: Sendable {
    public let kafka: KafkaConfiguration
    public let catalog: TopicCatalog
    let logger: Logger

    public init(kafka: KafkaConfiguration, catalog: TopicCatalog, logger: Logger) {
        self.kafka = kafka
        self.catalog = catalog
        self.logger = logger
    }

    /// A new command, unsigned: a random id and nonce, issued now, living `lifetime`.
    public static func command(
        tenantId: String, target: RemediationCommand.Target, action: RemediationCommand.Action, analyst: String,
        reason: String, storyId: String?, dryRun: Bool, lifetime: TimeInterval, approves: String? = nil,
        now: Date = Date()
    ) -> RemediationCommand {
        RemediationCommand(
            commandId: "command-\(Self.random())", storyId: storyId, tenantId: tenantId, target: target,
            action: action, requestedBy: RemediationCommand.Requester(kind: .analyst, identity: analyst),
            reason: reason, dryRun: dryRun, issuedAt: now, expiresAt: now.addingTimeInterval(lifetime),
            nonce: Self.random(), approves: approves)
    }

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// The record of a command on the commands topic: keyed by its tenant and target user, so
    /// an approval lands on the same partition as the command it approves.
    public func record(_ command: RemediationCommand) throws -> KafkaProducerRecord {
        let key = RecordKey(tenantID: command.tenantId, user: command.target.user)
        return KafkaProducerRecord(
            topic: catalog.remediationCommands, key: key.description, value: try EventEncoder().encode(command),
            headers: CloudEventHeaders(
                id: command.commandId, source: "/inboxwatch/analyst", type: "com.inboxwatch.remediation.command",
                time: command.issuedAt
            ).kafkaHeaders)
    }

    /// Publishes commands and returns once Kafka has them.
    public func publish(_ commands: [RemediationCommand]) async throws {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        do {
            _ = try await producer.send(contentsOf: try commands.map(record))
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
    }

    /// The latest record of every command on the outcomes topic now.
    public func outcomes() async throws -> [String: RemediationOutcome] {
        var latest: [String: RemediationOutcome] = [:]
        let decoder = BoundedJSONDecoder()
        try await KafkaTopicReader.read(catalog.remediationOutcomes, configuration: kafka, logger: logger) { message in
            guard let outcome = try? decoder.decodeValue(RemediationOutcome.self, from: message.value ?? []) else {
                return
            }
            let key = TopicKeys.outcome(commandID: outcome.commandId)
            if let previous = latest[key], previous.status.isFinal, !outcome.status.isFinal { return }
            latest[key] = outcome
        }
        return latest
    }

    /// Outcome records as they are written (from the start of the topic), until the task is cancelled.
    public func follow(_ body: (RemediationOutcome) async throws -> Bool) async throws {
        let consumer = try KafkaConsumer(
            configuration: kafka, groupID: "inboxwatch.outcomes.\(Self.random())",
            topics: [catalog.remediationOutcomes], logger: logger)
        let decoder = BoundedJSONDecoder()
        do {
            for try await case .message(let message) in consumer.events {
                guard let outcome = try? decoder.decodeValue(RemediationOutcome.self, from: message.value ?? [])
                else { continue }
                guard try await body(outcome) else { break }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    /// Waits for the first record of `commandId` that ends the wait: a final one, or `held`.
    /// `progress` sees every record of the command on the way. Nil when `timeout` passes first.
    public func wait(
        for commandId: String, timeout: Duration, progress: @escaping @Sendable (RemediationOutcome) -> Void = { _ in }
    ) async throws -> RemediationOutcome? {
        let key = TopicKeys.outcome(commandID: commandId)
        return try await withThrowingTaskGroup(of: RemediationOutcome?.self) { group in
            group.addTask {
                var found: RemediationOutcome?
                try await follow { outcome in
                    guard TopicKeys.outcome(commandID: outcome.commandId) == key else { return true }
                    progress(outcome)
                    guard outcome.status.isFinal || outcome.status == .held else { return true }
                    found = outcome
                    return false
                }
                return found
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
