import Events
import Foundation
import InboxwatchTestSupport
import Testing

/// `inboxwatch demo` as a new user runs it: a separate process, the whole pipeline inside.
@Suite("inboxwatch demo", .serialized)
struct DemoTests {
    @Test func theDemoTellsEveryPlantedStoryAndNothingElseAndClosesTheRemediationLoop() async throws {
        let binary = try InboxwatchBinary.locate()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).log")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).out")
        defer {
            try? FileManager.default.removeItem(at: log)
            try? FileManager.default.removeItem(at: out)
        }
        let child = try ChildProcess(binary, ["demo", "--json"], environment: [:], log: log, standardOutput: out)
        let status = await child.waitForExit()
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(status == 0, "see \(log.path): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let score = try #require(
            lines.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(score["score"] as? Double == 1)
        #expect((score["missing"] as? [String])?.isEmpty == true)
        #expect((score["unexpected"] as? [String])?.isEmpty == true)
        let decoder = BoundedJSONDecoder()
        let stories = try lines.dropLast().map { try decoder.decodeValue(StoryEvent.self, from: Array($0.utf8)).story }
        #expect(stories.count == score["planted"] as? Int)
        // The loop closed: the analyst's approved disable succeeded and contained its story; the
        // auto-response's requests ran as dry runs.
        let contained = stories.filter { $0.status == .contained }
        #expect(contained.count == 1)
        #expect(
            contained.first?.actions.contains {
                $0.action == .disableAccount && $0.outcome == .succeeded && $0.requestedBy.hasPrefix("analyst:")
            } == true)
        let automatic = stories.flatMap(\.actions).filter { $0.requestedBy.hasPrefix("autoPolicy:") }
        #expect(!automatic.isEmpty)
        #expect(automatic.allSatisfy { $0.outcome == .dryRun })
    }
}
