import ArgumentParser
import Logging

/// The single `inboxwatch` binary; the subcommand picks the role.
@main
struct Inboxwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inboxwatch",
        abstract: "Mailbox-compromise detection and response for Microsoft 365, on Kafka.",
        subcommands: [
            DemoCommand.self,
            BrokerCommand.self,
            TopicsCommand.self,
            SimulateCommand.self,
            CollectCommand.self,
            IngestCommand.self,
            CorrelateCommand.self,
            StoriesCommand.self,
            StoryCommand.self,
            KeysCommand.self,
            ActCommand.self,
            RemediateCommand.self,
            OutcomesCommand.self,
            DoctorCommand.self,
        ]
    )
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Logs go to stderr so that stdout carries only a command's result.
    func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
