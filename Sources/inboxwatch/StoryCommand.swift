import ArgumentParser
import Events
import Foundation
import Kafka
import Logging

/// `inboxwatch story ID`: one story, and an analyst's verdict or severity for it.
struct StoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "story",
        abstract: "Show one story; with --verdict or --severity, record an analyst's decision on it.",
        discussion: """
            Finds the story on inboxwatch.stories and prints it. --verdict and --severity write the \
            decision to inboxwatch.story.verdicts (keyed by the story id); the correlator instance \
            that owns the story's user records it as a verdictRecorded story event: a false-positive \
            or benign verdict closes the story, a severity replaces its criticality.
            """)

    @OptionGroup var kafka: KafkaOptions
    @Argument(help: "The story id (story-…), as `inboxwatch stories` shows it.") var id: String
    @Option(help: "true-positive, false-positive or benign.") var verdict: VerdictArgument?
    @Option(help: "low, medium, high or critical.") var severity: CriticalityArgument?
    @Option(help: "Who decides (default: $USER).") var analyst: String?
    @Option(help: "Why, in a few words.") var note: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if note != nil && verdict == nil && severity == nil {
            throw ValidationError("--note goes with a decision: add --verdict or --severity")
        }
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.story")
        let decoder = BoundedJSONDecoder()
        var latest: StoryEvent?
        try await KafkaTopicReader.read(kafka.catalog.stories, configuration: kafka.configuration, logger: logger) {
            message in
            guard let event = try? decoder.decodeValue(StoryEvent.self, from: message.value ?? []),
                event.storyId == id, (latest?.sequence ?? 0) < event.sequence
            else { return }
            latest = event
        }
        guard let latest else {
            throw ValidationError("no story \(id) on \(kafka.catalog.stories): check the id with `inboxwatch stories`")
        }
        guard verdict != nil || severity != nil else {
            print(StoryText.render(latest))
            return
        }
        let who = analyst ?? ProcessInfo.processInfo.environment["USER"] ?? ""
        guard !who.isEmpty else { throw ValidationError("name who decides with --analyst") }
        // The topic is compacted by story id: the latest decision is what is kept, so it carries
        // the story's current verdict forward when only the severity changes.
        let decision = StoryVerdict(
            storyId: latest.storyId, tenantId: latest.story.tenantId, user: latest.story.user,
            verdict: verdict?.value ?? latest.story.verdict?.value, severity: severity?.value, analyst: who, note: note,
            decidedAt: Date())
        let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
        do {
            _ = try await producer.send(contentsOf: [
                KafkaProducerRecord(
                    topic: kafka.catalog.storyVerdicts, key: latest.storyId, value: try EventEncoder().encode(decision),
                    headers: CloudEventHeaders(
                        id: decision.verdictId, source: "/inboxwatch/cli", type: "com.inboxwatch.story.verdict",
                        time: decision.decidedAt
                    ).kafkaHeaders)
            ])
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
        let said = [
            decision.verdict.map { "verdict \($0.rawValue)" }, severity.map { "severity \($0.value.rawValue)" },
        ]
        .compactMap { $0 }.joined(separator: ", ")
        print("recorded \(said) for \(latest.storyId) (\(latest.story.user)) as \(who)")
    }
}

/// `true-positive`, `false-positive`, `benign` on the command line.
struct VerdictArgument: ExpressibleByArgument, Sendable {
    var value: StoryView.Verdict.Value

    init?(argument: String) {
        switch argument.lowercased() {
        case "true-positive", "truepositive", "tp": value = .truePositive
        case "false-positive", "falsepositive", "fp": value = .falsePositive
        case "benign": value = .benign
        default: return nil
        }
    }
}

/// `low`, `medium`, `high`, `critical` on the command line.
struct CriticalityArgument: ExpressibleByArgument, Sendable {
    var value: StoryView.Criticality

    init?(argument: String) {
        guard let value = StoryView.Criticality(rawValue: argument.lowercased()) else { return nil }
        self.value = value
    }
}
