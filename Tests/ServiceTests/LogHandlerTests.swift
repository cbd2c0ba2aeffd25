import Foundation
import Logging
import Synchronization
import Testing

@testable import Service

/// Collects what a handler writes.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var sink: LogSink { LogSink { line in self.lines.withLock { $0.append(line) } } }
}

@Suite struct LogHandlerTests {
    /// A logger as the bootstrapped factory would make it for `label`.
    func logger(_ label: String, levels: LogLevels, format: LogFormat = .json, into captured: CapturedLines)
        -> Logger
    {
        Logger(label: label) {
            StructuredLogHandler(label: $0, format: format, level: levels.level(for: $0), sink: captured.sink)
        }
    }

    @Test func eachComponentLogsAtItsOwnLevel() {
        let levels = LogLevels(
            defaultLevel: .info, overrides: ["inboxwatch.correlator": .debug, "inboxwatch.kafka": .error])
        let captured = CapturedLines()
        logger("inboxwatch.correlator", levels: levels, into: captured).debug("correlator debug")
        logger("inboxwatch.correlator.state", levels: levels, into: captured).debug("child debug")
        logger("inboxwatch.correlatorx", levels: levels, into: captured).debug("not a child")
        logger("inboxwatch.action-worker", levels: levels, into: captured).debug("worker debug")
        logger("inboxwatch.action-worker", levels: levels, into: captured).info("worker info")
        logger("inboxwatch.kafka.consumer", levels: levels, into: captured).warning("kafka warning")
        logger("inboxwatch.kafka.consumer", levels: levels, into: captured).error("kafka error")
        let messages = captured.all.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])?["message"]
        }
        #expect(messages == ["correlator debug", "child debug", "worker info", "kafka error"])
    }

    @Test func everyEventIsOneValidJSONLineWithLoggerMetadataAndEventMetadata() throws {
        let captured = CapturedLines()
        var log = logger("inboxwatch.action-worker", levels: LogLevels(defaultLevel: .trace), into: captured)
        log[metadataKey: "tenantId"] = "contoso"
        log.notice("command\nheld", metadata: ["commandId": "cmd-1", "storyId": "story-1", "token": "abc"])
        log.info("second", metadata: ["tenantId": "fabrikam"])
        #expect(captured.all.count == 2)
        for line in captured.all { #expect(!line.contains("\n")) }
        let first = try #require(
            try JSONSerialization.jsonObject(with: Data(captured.all[0].utf8)) as? [String: String])
        #expect(first["message"] == "command\nheld")
        #expect(first["tenantId"] == "contoso")
        #expect(first["commandId"] == "cmd-1")
        #expect(first["storyId"] == "story-1")
        #expect(first["token"] == "<redacted>")
        #expect(first["level"] == "notice")
        let second = try #require(
            try JSONSerialization.jsonObject(with: Data(captured.all[1].utf8)) as? [String: String])
        #expect(second["tenantId"] == "fabrikam")
    }

    @Test func levelOverridesParseFromTheCommandLineForm() throws {
        let parsed = try #require(LogLevels.parseOverride("inboxwatch.correlator=DEBUG"))
        #expect(parsed.label == "inboxwatch.correlator" && parsed.level == .debug)
        #expect(LogLevels.parseOverride("inboxwatch.correlator") == nil)
        #expect(LogLevels.parseOverride("=debug") == nil)
        #expect(LogLevels.parseOverride("inboxwatch.correlator=loud") == nil)
    }

    @Test func theAutomaticFormatIsLogfmtOnATerminalAndJSONOtherwise() {
        #expect(LogFormat.automatic(standardErrorIsTerminal: true) == .logfmt)
        #expect(LogFormat.automatic(standardErrorIsTerminal: false) == .json)
    }
}
