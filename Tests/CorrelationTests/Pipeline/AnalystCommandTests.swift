import Correlation
import Events
import Foundation
import InboxwatchTestSupport
import Kafka
import Testing

/// What an analyst types: `inboxwatch story ID --verdict`, `inboxwatch keys generate`, and
/// `inboxwatch correlate` refusing an auto-response policy it cannot run.
extension CorrelatorPipeline {
    @Suite("Analyst commands", .serialized)
    struct AnalystCommandTests {
        func run(_ arguments: [String], name: String) async throws -> (status: Int32, output: String) {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent(
                "iw-\(name)-\(UUID().uuidString).log")
            let child = try ChildProcess(try InboxwatchBinary.locate(), arguments, environment: [:], log: log)
            let status = await child.waitForExit()
            return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        @Test("`inboxwatch story ID --verdict false-positive` writes a verdict keyed by the story, with its user")
        func storyVerdictFromTheCommandLine() async throws {
            let fixture = try await CorrelatorPipeline.fixture.get()
            let catalog = TopicCatalog(prefix: "analyst", keyedPartitions: fixture.catalog.keyedPartitions)
            for spec in catalog.specs { try fixture.broker.createTopic(spec) }
            // One story event on the stories topic, as a correlator wrote it.
            let story = StoryView(
                id: "story-cli-1", tenantId: fixture.tenantId, user: "alice@contoso.com",
                detection: "externalForwarding",
                title: "Mail forwarded outside the tenant", criticality: .high, confidence: 85, status: .open,
                summary: "alice@contoso.com: inbox rule sends mail to drop@evil.example",
                openedAt: PipelineFixture.worldStart, updatedAt: PipelineFixture.worldStart)
            let producer = try KafkaProducer(configuration: fixture.kafka)
            _ = try await producer.send(contentsOf: [
                KafkaProducerRecord(
                    topic: catalog.stories, key: "\(fixture.tenantId)/alice@contoso.com",
                    value: try EventEncoder().encode(
                        StoryEvent(
                            storyId: story.id, sequence: 1, kind: .opened, occurredAt: story.openedAt, story: story)))
            ])
            await producer.close()
            let common = ["--bootstrap-servers", fixture.broker.bootstrapServers, "--topic-prefix", "analyst"]

            let shown = try await run(["story", "story-cli-1"] + common, name: "story-show")
            #expect(shown.status == 0)
            #expect(shown.output.contains("Mail forwarded outside the tenant"), "\(shown.output)")

            let missing = try await run(["story", "story-nope", "--verdict", "benign"] + common, name: "story-missing")
            #expect(missing.status != 0)
            #expect(missing.output.contains("no story story-nope"), "\(missing.output)")

            let decided = try await run(
                [
                    "story", "story-cli-1", "--verdict", "false-positive", "--severity", "low", "--analyst",
                    "soc@contoso.com", "--note", "partner forwarding",
                ] + common,
                name: "story-verdict")
            #expect(decided.status == 0, "\(decided.output)")
            #expect(decided.output.contains("recorded verdict falsePositive, severity low for story-cli-1"))
            let records = try await fixture.readAll(catalog.storyVerdicts)
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.keyString == "story-cli-1")
            let verdict = try BoundedJSONDecoder().decodeValue(StoryVerdict.self, from: record.value ?? [])
            #expect(verdict.user == "alice@contoso.com" && verdict.tenantId == fixture.tenantId)
            #expect(verdict.verdict == .falsePositive && verdict.severity == .low)
            #expect(verdict.analyst == "soc@contoso.com" && verdict.note == "partner forwarding")
        }

        @Test(
            "`inboxwatch correlate` refuses a policy it cannot run, naming the rule and what to fix; keys are made 0600"
        )
        func badPoliciesAndKeys() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "iw-policy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let key = directory.appendingPathComponent("correlator.key").path
            let generated = try await run(["keys", "generate", "--out", key], name: "keys")
            #expect(generated.status == 0)
            let publicKey = generated.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Data(base64Encoded: publicKey)?.count == 32, "prints the public key: \(generated.output)")
            let attributes = try FileManager.default.attributesOfItem(atPath: key)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let again = try await run(["keys", "generate", "--out", key], name: "keys-again")
            #expect(again.status != 0 && again.output.contains("exists"))

            let policy = directory.appendingPathComponent("policy.json")
            try
                #"{"rules":[{"name":"contain","detections":["forwardingRule"],"minimumCriticality":"high","actions":[]}]}"#
                .write(to: policy, atomically: true, encoding: .utf8)
            let refused = try await run(
                [
                    "correlate", "--bootstrap-servers", "127.0.0.1:1", "--auto-response-policy", policy.path,
                    "--signing-key", key,
                ], name: "policy")
            #expect(refused.status != 0)
            #expect(
                refused.output.contains("rules[0].detections: \"forwardingRule\" is not a detection"),
                "\(refused.output)")
            #expect(refused.output.contains("rules[0].actions is empty"), "\(refused.output)")

            let unsigned = try await run(
                ["correlate", "--bootstrap-servers", "127.0.0.1:1", "--auto-response-policy", policy.path],
                name: "unsigned")
            #expect(unsigned.status != 0)
            #expect(unsigned.output.contains("add --signing-key FILE"), "\(unsigned.output)")
        }
    }
}
