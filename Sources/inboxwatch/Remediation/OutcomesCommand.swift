import Actions
import ArgumentParser
import Events
import Foundation
import Logging

/// `inboxwatch outcomes`: what became of remediation commands.
struct OutcomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes",
        abstract: "Show remediation outcomes: the latest of each command, and with --follow every record as it comes.")

    @OptionGroup var kafka: KafkaOptions
    @Flag(help: "Keep watching and print each outcome record as it is written.") var follow = false
    @Flag(help: "One JSON outcome per line.") var json = false
    @Option(help: "Only this command.") var command: String?
    @OptionGroup var common: CommonOptions

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.outcomes")
        let client = RemediationClient(kafka: kafka.configuration, catalog: kafka.catalog, logger: logger)
        let wanted = command.map { TopicKeys.outcome(commandID: $0) }
        let json = self.json
        func show(_ outcome: RemediationOutcome) {
            guard wanted == nil || TopicKeys.outcome(commandID: outcome.commandId) == wanted else { return }
            if json, let bytes = try? EventEncoder().encode(outcome) {
                print(String(decoding: bytes, as: UTF8.self))
            } else {
                print(OutcomeText.render(outcome))
            }
        }
        guard follow else {
            let latest = try await client.outcomes().values.sorted { $0.completedAt < $1.completedAt }
            for outcome in latest { show(outcome) }
            if !json { print(latest.isEmpty ? "no outcomes" : "\(latest.count) commands") }
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = await waitForTerminationSignal() }
            group.addTask {
                try await client.follow { outcome in
                    show(outcome)
                    return true
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
