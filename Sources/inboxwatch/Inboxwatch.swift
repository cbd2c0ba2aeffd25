import ArgumentParser
import Logging
import Service

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
            ConfigCommand.self,
            DoctorCommand.self,
        ]
    )
}

/// Options every command shares: how it logs.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"
    @Option(
        name: .customLong("log-level-for"),
        help: "LABEL=LEVEL: one component's level, e.g. inboxwatch.correlator=debug (repeatable; covers LABEL.*).")
    var logLevelsFor: [String] = []
    @Option(help: "Log format: json, logfmt or text (default: logfmt when stderr is a terminal, json otherwise).")
    var logFormat: String?

    mutating func validate() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&logLevel, "logging.level", flag: "log-level")
        try configured.apply(&logFormat, "logging.format", flag: "log-format")
        // Configured levels go first, so a --log-level-for of the same label wins.
        logLevelsFor = configured.pairs(under: "logging.levels", flag: nil) + logLevelsFor
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        for entry in logLevelsFor where LogLevels.parseOverride(entry) == nil {
            throw ValidationError(
                "--log-level-for \(entry) is not LABEL=LEVEL (e.g. inboxwatch.correlator=debug; levels: trace, debug, info, notice, warning, error, critical)"
            )
        }
        if let logFormat, LogFormat(rawValue: logFormat) == nil {
            throw ValidationError("--log-format \(logFormat) is not one of json, logfmt, text")
        }
    }

    var logLevels: LogLevels {
        var levels = LogLevels(defaultLevel: Logger.Level(rawValue: logLevel) ?? .info)
        for entry in logLevelsFor {
            if let (label, level) = LogLevels.parseOverride(entry) { levels.overrides[label] = level }
        }
        return levels
    }

    /// Logs go to stderr, one event per line, so that stdout carries only a command's result.
    func bootstrapLogging() {
        InboxwatchLogging.bootstrap(format: logFormat.flatMap(LogFormat.init(rawValue:)), levels: logLevels)
    }
}
