import Events
import Foundation
import Testing

/// Every topic value against its JSON Schema, its own decoder, and itself.
@Suite("Topic contract")
struct TopicContractTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = repositoryRoot.appendingPathComponent("schemas")

    /// Encodes samples, checks determinism and round trip, returns the bytes.
    static func roundTrip<T: TopicValue>(
        _ make: (inout SampleGenerator) -> T, seed: UInt64, count: Int = 40
    ) throws -> [[UInt8]] {
        var generator = SampleGenerator(seed: seed)
        var outputs: [[UInt8]] = []
        for _ in 0..<count {
            let value = make(&generator)
            let bytes = try EventEncoder().encode(value)
            #expect(try EventEncoder().encode(value) == bytes, "\(T.schemaName): same value, same bytes")
            let decoded = try BoundedJSONDecoder().decodeValue(T.self, from: bytes)
            #expect(decoded == value, "\(T.schemaName): decode(encode(x)) == x")
            outputs.append(bytes)
        }
        return outputs
    }

    static func allSamples() throws -> [String: [[UInt8]]] {
        [
            RawAuditEnvelope.schemaName: try roundTrip(Samples.rawAudit, seed: 1),
            RawMailEnvelope.schemaName: try roundTrip(Samples.rawMail, seed: 2),
            StoryEvent.schemaName: try roundTrip(Samples.storyEvent, seed: 3),
            OCSFDetectionFinding.schemaName: try roundTrip(Samples.finding, seed: 4),
            RemediationCommand.schemaName: try roundTrip(Samples.command, seed: 5),
            RemediationOutcome.schemaName: try roundTrip(Samples.outcome, seed: 6),
            CorrelatorStateSnapshot.schemaName: try roundTrip(Samples.snapshot, seed: 7),
            CollectorCheckpoint.schemaName: try roundTrip(Samples.checkpoint, seed: 8),
            DeadLetterRecord.schemaName: try roundTrip(Samples.deadLetter, seed: 9),
            StoryVerdict.schemaName: try roundTrip(Samples.verdict, seed: 10),
            ForwardingObservation.schemaName: try roundTrip(Samples.forwarding, seed: 11),
        ]
    }

    /// Our decoder for each schema, by name.
    static let decoders: [String: @Sendable ([UInt8]) throws(EventDecodingError) -> Void] = [
        RawAuditEnvelope.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(RawAuditEnvelope.self, from: bytes)
        },
        RawMailEnvelope.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(RawMailEnvelope.self, from: bytes)
        },
        StoryEvent.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(StoryEvent.self, from: bytes)
        },
        OCSFDetectionFinding.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(OCSFDetectionFinding.self, from: bytes)
        },
        RemediationCommand.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(RemediationCommand.self, from: bytes)
        },
        RemediationOutcome.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(RemediationOutcome.self, from: bytes)
        },
        CorrelatorStateSnapshot.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(CorrelatorStateSnapshot.self, from: bytes)
        },
        CollectorCheckpoint.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(CollectorCheckpoint.self, from: bytes)
        },
        DeadLetterRecord.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(DeadLetterRecord.self, from: bytes)
        },
        StoryVerdict.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(StoryVerdict.self, from: bytes)
        },
        ForwardingObservation.schemaName: { (bytes: [UInt8]) throws(EventDecodingError) in
            _ = try BoundedJSONDecoder().decodeValue(ForwardingObservation.self, from: bytes)
        },
    ]

    /// Runs schemas/validate.py with Debian's Python and its jsonschema; returns its exit status and output.
    static func validate(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, schemas.appendingPathComponent("validate.py").path] + arguments
        process.currentDirectoryURL = repositoryRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("every type round-trips, and the same value always encodes to the same bytes")
    func roundTripAndDeterminism() throws {
        let samples = try Self.allSamples()
        #expect(samples.count == 11)
    }

    @Test("what our encoders write is valid against the JSON Schemas (a real validator)")
    func encoderOutputMatchesSchemas() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("iw-schemas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, outputs) in try Self.allSamples() {
            for (index, bytes) in outputs.enumerated() {
                try Data(bytes).write(to: directory.appendingPathComponent("\(name)--\(index).json"))
            }
        }
        // State snapshots as the correlator writes them, straight from their tree.
        var generator = SampleGenerator(seed: 7)
        for index in 0..<40 {
            let snapshot = Samples.snapshot(&generator)
            let bytes = snapshot.encodedJSON()
            #expect(try BoundedJSONDecoder().decodeValue(CorrelatorStateSnapshot.self, from: bytes) == snapshot)
            try Data(bytes).write(
                to: directory.appendingPathComponent("\(CorrelatorStateSnapshot.schemaName)--direct-\(index).json"))
        }
        let result = try Self.validate(["--instances", directory.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("480 passed, 0 failed"), "\(result.output)")
    }

    @Test("every example is judged right by the JSON Schemas: valid ones pass, invalid ones are rejected")
    func examplesAgainstSchemas() throws {
        let result = try Self.validate([])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(" passed, 0 failed"), "\(result.output)")
    }

    @Test("our decoders read every valid example and refuse every example of an unknown major version")
    func examplesAgainstOurDecoders() throws {
        let examples = Self.schemas.appendingPathComponent("examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted()
        #expect(Set(names) == Set(Self.decoders.keys), "an examples folder per schema")
        for name in names {
            guard let decode = Self.decoders[name] else { continue }
            let folder = examples.appendingPathComponent(name)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
                let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
                if file.hasPrefix("valid") {
                    #expect(throws: Never.self, "\(name)/\(file)") { try decode(bytes) }
                } else if file.contains("major-version") {
                    do {
                        try decode(bytes)
                        Issue.record("\(name)/\(file) was accepted")
                    } catch {
                        #expect(error.code == .unsupportedVersion, "\(name)/\(file): \(error)")
                    }
                }
            }
        }
    }

    @Test("rules a JSON type cannot state are checked on decoding: a story event about another story is refused")
    func crossFieldRules() throws {
        var generator = SampleGenerator(seed: 7)
        var event = Samples.storyEvent(&generator)
        event.storyId = "story-0000"
        do {
            _ = try BoundedJSONDecoder().decodeValue(StoryEvent.self, from: try EventEncoder().encode(event))
            Issue.record("accepted a story event whose storyId is not its story's id")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.path == "storyId")
        }
    }

    @Test(
        "what a forwarding observation's validate() refuses, its schema refuses too: no address, no user, no source id"
    )
    func forwardingObservationRulesAgreeWithTheSchema() throws {
        let folder = Self.schemas.appendingPathComponent("examples/forwarding-observation")
        let refused = [
            ("invalid-destination-not-an-address.json", "destination"), ("invalid-empty-user.json", "user"),
            ("invalid-source-without-record-id.json", "source.recordId"),
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "iw-forwarding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (file, path) in refused {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            do {
                _ = try BoundedJSONDecoder().decodeValue(ForwardingObservation.self, from: bytes)
                Issue.record("\(file) was accepted")
            } catch {
                #expect(error.code == .invalidValue, "\(file): \(error)")
                #expect(error.path == path, "\(file): \(error)")
            }
            try Data(bytes).write(to: directory.appendingPathComponent("\(ForwardingObservation.schemaName)--\(file)"))
        }
        let result = try Self.validate(["--instances", directory.path])
        #expect(result.output.contains("0 passed, \(refused.count) failed"), "\(result.output)")
    }

    @Test("a newer minor version with unknown extra fields is still read")
    func newerMinorVersionIsRead() throws {
        var generator = SampleGenerator(seed: 42)
        let outcome = Samples.outcome(&generator)
        var object = try JSONSerialization.jsonObject(with: Data(try EventEncoder().encode(outcome))) as! [String: Any]
        object["schemaVersion"] = "1.7"
        object["addedInMinorSeven"] = ["anything": true]
        let bytes = Array(try JSONSerialization.data(withJSONObject: object))
        let decoded = try BoundedJSONDecoder().decodeValue(RemediationOutcome.self, from: bytes)
        #expect(decoded.commandId == outcome.commandId)
        #expect(decoded.schemaVersion == SchemaVersion(major: 1, minor: 7))
    }

    @Test("a Graph resource changed twice gets two ids; the same change seen twice gets one")
    func resourceChangeIDs() {
        let rule: JSONValue = .object(["id": .string("AQAAAJ5"), "displayName": .string("x"), "sequence": .integer(1)])
        let sameRuleReordered: JSONValue = .object([
            "sequence": .integer(1), "displayName": .string("x"), "id": .string("AQAAAJ5"),
        ])
        let edited: JSONValue = .object([
            "id": .string("AQAAAJ5"), "displayName": .string("y"), "sequence": .integer(1),
        ])
        let first = EventID.resourceChange(resourceID: "AQAAAJ5", changeKind: "updated", resource: rule)
        #expect(
            first == EventID.resourceChange(resourceID: "AQAAAJ5", changeKind: "updated", resource: sameRuleReordered))
        #expect(first != EventID.resourceChange(resourceID: "AQAAAJ5", changeKind: "updated", resource: edited))
        #expect(first != EventID.resourceChange(resourceID: "AQAAAJ5", changeKind: "created", resource: rule))
    }

    @Test("derived ids are stable, distinct per kind and per input split")
    func derivedIDs() {
        let a = EventID.derived("story", from: ["t", "alice@contoso.com", "externalForwarding", "r1"])
        #expect(a == EventID.derived("story", from: ["t", "alice@contoso.com", "externalForwarding", "r1"]))
        #expect(a != EventID.derived("finding", from: ["t", "alice@contoso.com", "externalForwarding", "r1"]))
        #expect(EventID.derived("x", from: ["ab", "c"]) != EventID.derived("x", from: ["a", "bc"]))
        #expect(a.hasPrefix("story-") && a.count == "story-".count + 32)
        #expect(
            EventID.story(
                tenantID: "T", user: "Alice@Contoso.com", detection: "externalForwarding", firstRecordID: "R1")
                == EventID.story(
                    tenantID: "t", user: "alice@contoso.com", detection: "externalForwarding", firstRecordID: "r1"))
        #expect(EventID.raw(" 5C2E1F0A-0000-4000-8000-000000000001 ") == "5c2e1f0a-0000-4000-8000-000000000001")
    }
}
