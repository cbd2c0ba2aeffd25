import ArgumentParser
import Foundation
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

/// A length of time: `90s`, `15m`, `4h`, `7d`, or plain seconds.
struct IntervalArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var seconds: Double

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            seconds = value * factor
            return
        }
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        seconds = value
    }

    init(seconds: Double) { self.seconds = seconds }

    var duration: Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    /// The shortest exact form, as `--help` shows defaults: `4h`, `90s`, `1.5d`.
    var description: String {
        for (suffix, factor) in [("d", 86400.0), ("h", 3600), ("m", 60), ("s", 1)]
        where seconds >= factor && (seconds / factor).rounded() == seconds / factor {
            return "\(Int(seconds / factor))\(suffix)"
        }
        return "\(seconds)s"
    }

    var defaultValueDescription: String { description }

    static var defaultCompletionKind: CompletionKind { .default }
}
