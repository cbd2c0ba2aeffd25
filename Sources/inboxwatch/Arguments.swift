import ArgumentParser
import Kafka

/// `name:partitions` on the command line: an extra topic for the embedded broker.
struct TopicArgument: ExpressibleByArgument {
    var spec: KafkaTopicSpec

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let partitions = Int32(parts[1]), partitions > 0 else {
            return nil
        }
        spec = KafkaTopicSpec(name: String(parts[0]), partitions: partitions)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// `key=value`: a librdkafka property passed through to the client.
struct PropertyArgument: ExpressibleByArgument {
    var key: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }
}
