import ArgumentParser
import Events
import Foundation
import Kafka
import Logging

/// `inboxwatch broker`: the embedded Kafka broker with the topic catalog, for
/// development, demos, tests and benchmarks.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an embedded Kafka broker (librdkafka's mock cluster) with the Inboxwatch topics.",
        discussion: """
            Prints the bootstrap address on stdout and serves until SIGINT or SIGTERM.
            Any Kafka client can use it (kcat -b ADDRESS -L). It keeps about 5 MiB per
            partition, does not compact, and writes no transaction markers.
            """
    )

    @Option(help: "Number of brokers in the cluster.")
    var brokers: Int32 = 1

    @Option(help: "Prefix of the Inboxwatch topic names.")
    var topicPrefix: String = "inboxwatch"

    @Option(help: "Partitions of the topics keyed by tenant/user.")
    var partitions: Int32 = 6

    @Option(name: .customLong("topic"), help: "An extra topic to create, as NAME:PARTITIONS (repeatable).")
    var extraTopics: [TopicArgument] = []

    @Option(help: "Also write the bootstrap address to this file, once the broker is ready.")
    var bootstrapFile: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        guard partitions >= 1 else { throw ValidationError("--partitions must be at least 1") }
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.broker")
        let catalog = TopicCatalog(prefix: topicPrefix, keyedPartitions: partitions)
        let topics = catalog.specs + extraTopics.map(\.spec)
        let broker = try EmbeddedKafka(brokers: brokers, topics: topics)
        for topic in topics {
            logger.info("topic \(topic.name): \(topic.partitions) partitions")
        }
        if let bootstrapFile {
            // Written whole then renamed, so a script polling the file never reads half an address.
            let temporary = bootstrapFile + ".tmp"
            try Data((broker.bootstrapServers + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, bootstrapFile) == 0 else {
                throw ValidationError(
                    "cannot write --bootstrap-file \(bootstrapFile): \(String(cString: strerror(errno)))")
            }
        }
        FileHandle.standardOutput.write(Data((broker.bootstrapServers + "\n").utf8))
        logger.info("embedded broker ready at \(broker.bootstrapServers); stop with Ctrl-C")
        let signal = await waitForTerminationSignal()
        logger.info("signal \(signal) received, stopping the broker")
        if let bootstrapFile { try? FileManager.default.removeItem(atPath: bootstrapFile) }
        withExtendedLifetime(broker) {}
    }
}
