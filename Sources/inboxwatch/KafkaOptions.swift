import ArgumentParser
import Events
import Foundation
import Kafka
import Service

/// A Kafka cluster: bootstrap servers and any librdkafka property (TLS, SASL, ...).
struct ClusterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A configuration file (YAML or JSON; deploy/config.example.yaml): flags win over INBOXWATCH_* environment variables, which win over the file.",
            valueName: "file"))
    var config: String?
    @Option(
        help:
            "Kafka bootstrap servers, host:port[,host:port...] (or kafka.bootstrapServers, INBOXWATCH_KAFKA_BOOTSTRAP_SERVERS)."
    )
    var bootstrapServers: String?

    @Option(
        name: .customLong("property"),
        help: "A librdkafka property such as security.protocol=SASL_SSL (repeatable).")
    var properties: [PropertyArgument] = []

    /// Fills what the flags left out from the configuration; the SASL password only ever comes
    /// from a file or the environment.
    mutating func validate() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&bootstrapServers, "kafka.bootstrapServers", flag: "bootstrap-servers")
        guard bootstrapServers != nil else {
            throw ValidationError(
                "--bootstrap-servers: missing; set host:port[,host:port] with the flag, kafka.bootstrapServers in --config FILE, or INBOXWATCH_KAFKA_BOOTSTRAP_SERVERS"
            )
        }
        // Configured properties go first, so a --property of the same name wins.
        properties =
            configured.pairs(under: "kafka.properties", flag: nil).compactMap(PropertyArgument.init(argument:))
            + properties
        // Secret properties from files (kafka.propertyFiles.NAME: FILE), unless a --property names them.
        for pair in configured.pairs(under: "kafka.propertyFiles", flag: nil) {
            let (name, path) = (String(pair.prefix { $0 != "=" }), String(pair.drop { $0 != "=" }.dropFirst()))
            guard !properties.contains(where: { $0.key == name }) else { continue }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                case let value = text.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty,
                let property = PropertyArgument(argument: name + "=" + value)
            else {
                throw ValidationError("kafka.propertyFiles.\(name): \(path) cannot be read or is empty")
            }
            properties.append(property)
        }
        if !properties.contains(where: { $0.key == "sasl.password" }) {
            do {
                if let password = try configured.layers.saslPassword(),
                    let property = PropertyArgument(argument: "sasl.password=" + password.revealed)
                {
                    properties.append(property)
                }
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    var configuration: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: bootstrapServers ?? "",
            properties: Dictionary(properties.map { ($0.key, $0.value) }) { _, last in last })
    }
}

/// Where the workers read and write: the cluster and the topic names.
struct KafkaOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Prefix of the topic names.") var topicPrefix: String = "inboxwatch"

    mutating func validate() throws {
        try WorkerConfiguration.get().apply(&topicPrefix, "kafka.topicPrefix", flag: "topic-prefix")
    }

    var configuration: KafkaConfiguration { cluster.configuration }
    var catalog: TopicCatalog { TopicCatalog(prefix: topicPrefix) }
}
