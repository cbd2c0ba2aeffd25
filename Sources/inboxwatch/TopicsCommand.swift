import ArgumentParser
import Events
import Foundation
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
            abstract: "Create every topic of the catalog (existing ones are left as they are).",
            discussion: """
                Reads the cluster's metadata first and asks CreateTopics (the Kafka admin API) only \
                for the topics that are missing, with their partition counts, replication factor and \
                cleanup policies. An existing keyed topic with another partition count is an error: \
                the raw, state and story topics must stay co-partitioned. A broker without the admin \
                API (librdkafka's mock cluster, which `inboxwatch broker` already fills with the \
                catalog) is named as such, with the topics to create by other means.
                """)

        @OptionGroup var cluster: ClusterOptions
        @Option(help: "Prefix of the topic names (or kafka.topicPrefix).") var topicPrefix: String = "inboxwatch"
        @Option(help: "Partitions of the topics keyed by tenant/user.") var partitions: Int32 = 6
        @Option(help: "Replication factor.") var replicationFactor: Int16 = 3
        @Option(help: "How long to wait for the cluster's answer to CreateTopics.")
        var timeout: IntervalArgument = .init(seconds: 30)
        @OptionGroup var common: CommonOptions

        mutating func validate() throws {
            try WorkerConfiguration.get().apply(&topicPrefix, "kafka.topicPrefix", flag: "topic-prefix")
            guard partitions > 0, replicationFactor > 0 else {
                throw ValidationError("--partitions and --replication-factor must be at least 1")
            }
        }

        func run() async throws {
            common.bootstrapLogging()
            let catalog = TopicCatalog(
                prefix: topicPrefix, keyedPartitions: partitions, replicationFactor: replicationFactor)
            let admin = try KafkaAdmin(configuration: cluster.configuration)
            let existing = try await admin.topics()
            let plan = TopicCreationPlan(catalog: catalog, existing: existing)
            guard plan.conflicts.isEmpty else { throw TopicsError(plan.conflicts.joined(separator: "\n")) }
            var created: Set<String> = []
            if !plan.missing.isEmpty {
                do {
                    let outcome = try await admin.createTopics(
                        plan.missing, timeoutMilliseconds: Int32(clamping: Int64(timeout.seconds * 1000)))
                    created = Set(outcome.filter { $0.value == .created }.keys)
                } catch {
                    throw TopicsError(plan.refusal(error, bootstrap: cluster.configuration.bootstrapServers))
                }
            }
            for spec in catalog.specs {
                let what = created.contains(spec.name) ? "created" : "already existed"
                print("\(spec.name)\t\(spec.partitions) partitions\t\(what)")
            }
            for note in plan.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
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

/// What `topics create` must ask the cluster for, given the topics it already has.
struct TopicCreationPlan {
    var missing: [KafkaTopicSpec] = []
    /// Existing keyed topics whose partition count breaks co-partitioning.
    var conflicts: [String] = []
    /// Existing unkeyed topics with another partition count: they work, but differ from the catalog.
    var notes: [String] = []

    init(catalog: TopicCatalog, existing: [String: Int32]) {
        for spec in catalog.specs {
            guard let partitions = existing[spec.name] else {
                missing.append(spec)
                continue
            }
            guard partitions != spec.partitions else { continue }
            if spec.partitions == catalog.keyedPartitions {
                conflicts.append(
                    "\(spec.name) exists with \(partitions) partitions, not \(spec.partitions): every topic keyed by "
                        + "tenant/user must have the same count, or a user's records, state and stories land on "
                        + "different correlators; run with --partitions \(partitions) if every keyed topic has "
                        + "\(partitions), or recreate \(spec.name)")
            } else {
                notes.append("\(spec.name) exists with \(partitions) partitions (the catalog says \(spec.partitions))")
            }
        }
    }

    /// Why the cluster did not create the topics, and how to create them anyway.
    func refusal(_ error: any Error, bootstrap: String) -> String {
        var lines = [
            "the cluster at \(bootstrap) did not carry out CreateTopics (\(error)).",
            "A broker without the Kafka admin API (such as librdkafka's mock cluster, the embedded broker of "
                + "`inboxwatch broker`, which creates the catalog itself) cannot create topics; on a real cluster, "
                + "check that this principal may Create on the cluster (deploy/kafka-acls.sh).",
            "Create the missing topics with your cluster's tools:",
        ]
        for spec in missing {
            let configs = spec.configs.sorted { $0.key < $1.key }.map { "--config \($0.key)=\($0.value)" }
            lines.append(
                "  kafka-topics.sh --create --topic \(spec.name) --partitions \(spec.partitions) "
                    + "--replication-factor \(spec.replicationFactor) " + configs.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

/// A `topics` failure, said as the operator needs it.
struct TopicsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
