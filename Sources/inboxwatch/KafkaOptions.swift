import ArgumentParser
import Events
import Kafka

/// A Kafka cluster: bootstrap servers and any librdkafka property (TLS, SASL, ...).
struct ClusterOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, host:port[,host:port...].")
    var bootstrapServers: String

    @Option(
        name: .customLong("property"),
        help: "A librdkafka property such as security.protocol=SASL_SSL (repeatable).")
    var properties: [PropertyArgument] = []

    var configuration: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: bootstrapServers,
            properties: Dictionary(properties.map { ($0.key, $0.value) }) { _, last in last })
    }
}

/// Where the workers read and write: the cluster and the topic names.
struct KafkaOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Prefix of the topic names.") var topicPrefix: String = "inboxwatch"

    var configuration: KafkaConfiguration { cluster.configuration }
    var catalog: TopicCatalog { TopicCatalog(prefix: topicPrefix) }
}
