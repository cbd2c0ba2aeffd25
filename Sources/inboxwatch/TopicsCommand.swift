import ArgumentParser
import Events
import Kafka
import Logging

/// `inboxwatch topics`: the topic catalog on a real Kafka cluster.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create or list the Inboxwatch topics on a Kafka cluster.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create every topic of the catalog (existing ones are left as they are).")

        @OptionGroup var cluster: ClusterOptions
        @Option(help: "Prefix of the topic names.") var topicPrefix: String = "inboxwatch"
        @Option(help: "Partitions of the topics keyed by tenant/user.") var partitions: Int32 = 6
        @Option(help: "Replication factor.") var replicationFactor: Int16 = 3
        @OptionGroup var common: CommonOptions

        func run() async throws {
            common.bootstrapLogging()
            let catalog = TopicCatalog(
                prefix: topicPrefix, keyedPartitions: partitions, replicationFactor: replicationFactor)
            let admin = try KafkaAdmin(configuration: cluster.configuration)
            let outcome = try await admin.createTopics(catalog.specs)
            for spec in catalog.specs {
                let what = outcome[spec.name] == .created ? "created" : "already existed"
                print("\(spec.name)\t\(spec.partitions) partitions\t\(what)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics and their partition counts.")

        @OptionGroup var cluster: ClusterOptions
        @OptionGroup var common: CommonOptions

        func run() async throws {
            common.bootstrapLogging()
            let admin = try KafkaAdmin(configuration: cluster.configuration)
            for (name, partitions) in try await admin.topics().sorted(by: { $0.key < $1.key }) {
                print("\(name)\t\(partitions)")
            }
        }
    }
}
