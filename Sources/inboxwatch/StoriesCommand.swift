import ArgumentParser
import Events
import Foundation
import Kafka
import Logging

/// `inboxwatch stories`: the current stories, for people or for machines.
struct StoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stories",
        abstract: "Show the stories on the stories topic: criticality, title, user, timeline, evidence, actions.",
        discussion: """
            Reads inboxwatch.stories from the start and shows each story as its latest event tells it, \
            most critical first. --json prints one story event per line (the latest of each story), \
            for machines; --follow keeps watching and shows each change as it is written.
            """)

    @OptionGroup var kafka: KafkaOptions
    @Flag(help: "One JSON story event per line instead of text.") var json = false
    @Flag(help: "Keep watching: print each story event as it arrives.") var follow = false
    @Option(help: "Only stories of this user (UPN).") var user: String?
    @OptionGroup var common: CommonOptions

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.stories")
        var latest: [String: StoryEvent] = [:]
        let decoder = BoundedJSONDecoder()
        var undecodable = 0
        try await KafkaTopicReader.read(kafka.catalog.stories, configuration: kafka.configuration, logger: logger) {
            message in
            guard let event = try? decoder.decodeValue(StoryEvent.self, from: message.value ?? []) else {
                undecodable += 1
                return
            }
            if (latest[event.storyId]?.sequence ?? 0) < event.sequence { latest[event.storyId] = event }
        }
        if undecodable > 0 {
            logger.warning("story events that do not decode were skipped", metadata: ["count": "\(undecodable)"])
        }
        let shown = latest.values.filter { user == nil || $0.story.user == user?.lowercased() }.sorted {
            ($0.story.criticality, $1.story.updatedAt) > ($1.story.criticality, $0.story.updatedAt)
        }
        for event in shown { try print(event) }
        if !json { Swift.print(shown.isEmpty ? "no stories" : "\(shown.count) stories") }
        guard follow else { return }
        let consumer = try KafkaConsumer(
            configuration: kafka.configuration, groupID: "inboxwatch.stories.\(UUID().uuidString.lowercased())",
            topics: [kafka.catalog.stories], logger: logger)
        let shownAlready = Set(latest.values.map { "\($0.storyId)#\($0.sequence)" })
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await waitForTerminationSignal() }
            group.addTask {
                var seen = shownAlready
                do {
                    for try await case .message(let message) in consumer.events {
                        guard let event = try? decoder.decodeValue(StoryEvent.self, from: message.value ?? []),
                            user == nil || event.story.user == user?.lowercased(),
                            seen.insert("\(event.storyId)#\(event.sequence)").inserted
                        else { continue }
                        try print(event)
                    }
                } catch {
                    logger.error("reading stories failed: \(error)")
                }
            }
            await group.next()
            group.cancelAll()
        }
        await consumer.close()
    }

    private func print(_ event: StoryEvent) throws {
        if json {
            Swift.print(String(decoding: try EventEncoder().encode(event), as: UTF8.self))
        } else {
            Swift.print(StoryText.render(event))
        }
    }
}

/// A story as text for a terminal.
enum StoryText {
    static func render(_ event: StoryEvent) -> String {
        let story = event.story
        let time = { (date: Date) in date.formatted(.iso8601) }
        var lines = [
            "[\(story.criticality.rawValue.uppercased())] \(story.title)",
            "  \(story.id) · user \(story.user) · \(story.detection) · \(story.status.rawValue) · confidence \(story.confidence)"
                + " · opened \(time(story.openedAt)) · \(event.kind.rawValue) #\(event.sequence)",
            "  \(story.summary)",
            "  timeline:",
        ]
        lines += story.timeline.map { "    \(time($0.time))  \($0.event)" }
        lines.append("  evidence:")
        lines += story.evidence.map { evidence in
            let matched = evidence.matched.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "    \(evidence.condition) (\(evidence.detection) v\(evidence.detectionVersion)): "
                + matched.joined(separator: ", ")
        }
        let entities = story.entities
        if !entities.externalRecipients.isEmpty {
            lines.append("  external recipients: \(entities.externalRecipients.joined(separator: ", "))")
        }
        if !entities.ipAddresses.isEmpty {
            lines.append(
                "  addresses: "
                    + entities.ipAddresses.map { ip in ip.country.map { "\(ip.address) (\($0))" } ?? ip.address }
                    .joined(separator: ", "))
        }
        if let verdict = story.verdict {
            lines.append(
                "  verdict: \(verdict.value.rawValue) by \(verdict.analyst) at \(time(verdict.decidedAt))"
                    + (verdict.note.map { " (\($0))" } ?? ""))
        }
        if story.actions.isEmpty {
            lines.append("  actions: none")
        } else {
            lines.append("  actions:")
            lines += story.actions.map { action in
                "    \(action.action.rawValue) by \(action.requestedBy): \(action.outcome?.rawValue ?? "pending")"
                    + (action.detail.map { " (\($0))" } ?? "")
            }
        }
        return lines.joined(separator: "\n")
    }
}
