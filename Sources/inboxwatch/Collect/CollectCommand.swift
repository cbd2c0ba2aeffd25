import ArgumentParser

/// `inboxwatch collect`: the collectors, one subcommand per source.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect Microsoft 365 audit and mail events into Kafka.",
        subcommands: [CollectAuditCommand.self, CollectMailCommand.self]
    )
}
