import Foundation
import Testing

@testable import Collector

@Suite("Ingest: JSON lines and JSON arrays")
struct JSONIngestTests {
    @Test("JSON lines: blank lines are skipped, CRLF is dropped, a malformed line is a problem and reading goes on")
    func jsonLines() throws {
        let fixtures = try IngestFixtures()
        let first = AuditSamples.mailItemsAccessed(id: "id-1")
        let third = AuditSamples.newInboxRule
        let text = first + "\r\n" + "\n" + "   \t\n" + #"{"Id":"id-2","Operation":"# + "\n" + third + "\n\n"
        let path = try fixtures.write("records.jsonl", text)

        let reader = try AuditExportReader(path: path)
        #expect(reader.format == .jsonLines)
        let read = try readAll(path)
        #expect(read.map(\.location) == ["\(path):line 1", "\(path):line 4", "\(path):line 5"])
        #expect(read.map(\.bytes) == [first, #"{"Id":"id-2","Operation":"#, third].map { Array($0.utf8) })
        #expect(read[0].fields?.recordId == "id-1")
        #expect(read[1].problem?.code == .malformedJSON)
        #expect(read[1].problem?.reason.hasPrefix("\(path):line 4: the line is not valid JSON") == true)
        #expect(read[2].fields?.operation == "New-InboxRule")
    }

    @Test("JSON lines: a line that is JSON but not a record object is a problem")
    func jsonLinesNotObjects() throws {
        let fixtures = try IngestFixtures()
        let path = try fixtures.write("odd.ndjson", #"{"Id":"a"}"# + "\n[1,2]\n\"text\"\n" + #"{"NoId":1}"#)
        let read = try readAll(path)
        #expect(read.map(\.problem?.code) == [nil, .notAnObject, .notAnObject, .missingId])
    }

    @Test("a JSON array, as a Management API blob, gives each element's exact bytes with element and line")
    func jsonArray() throws {
        let fixtures = try IngestFixtures()
        let records = [
            AuditSamples.mailItemsAccessed(id: "id-1"), AuditSamples.stsLogonPretty, AuditSamples.newInboxRule,
        ]
        // Pretty-printed the way ConvertTo-Json lays arrays out, with a string holding `]` and `,`.
        let text = "\u{FEFF}[\n  " + records[0] + ",\n  " + records[1] + " ,\n" + records[2] + "\n]\n"
        let path = try fixtures.write("blob.json", text)
        let reader = try AuditExportReader(path: path)
        #expect(reader.format == .jsonArray)
        let read = try readAll(path)
        #expect(read.map(\.bytes) == records.map { Array($0.utf8) })
        #expect(
            read.map(\.location) == [
                "\(path):element 1 (line 2)", "\(path):element 2 (line 3)",
                "\(path):element 3 (line 14)",
            ])
        #expect(read.allSatisfy { $0.problem == nil })
    }

    @Test("arrays may follow one another; an empty array gives nothing")
    func concatenatedArrays() throws {
        let fixtures = try IngestFixtures()
        let path = try fixtures.write("blobs.json", #"[{"Id":"a"},{"Id":"b"}][]"# + "\n" + #"[{"Id":"c"}]"#)
        #expect(try readAll(path).map(\.fields?.recordId) == ["a", "b", "c"])
        let empty = try fixtures.write("empty-array.json", " [ ] ")
        #expect(try readAll(empty).isEmpty)
    }

    @Test("a cut-off array, an empty element and text after the array are problems, not the end of reading")
    func brokenArrays() throws {
        let fixtures = try IngestFixtures()
        let cut = try fixtures.write("cut.json", #"[{"Id":"a"},{"Id":"b","Ope"#)
        let cutRead = try readAll(cut)
        #expect(cutRead.map(\.fields?.recordId) == ["a", nil])
        #expect(cutRead[1].problem?.code == .truncated)
        #expect(cutRead[1].bytes == Array(#"{"Id":"b","Ope"#.utf8))

        let holes = try fixtures.write("holes.json", #"[{"Id":"a"},,{"Id":"b"},42,]"# + " trailing")
        let holesRead = try readAll(holes)
        #expect(
            holesRead.map(\.problem?.code) == [
                nil, .malformedJSON, nil, .notAnObject, .malformedJSON,
                .malformedJSON,
            ])
        #expect(holesRead[1].problem?.reason.contains("empty element") == true)
        #expect(holesRead[5].problem?.reason.contains("text after the end of the array") == true)
        #expect(holesRead[5].bytes == Array("trailing".utf8))

        let unclosed = try fixtures.write("unclosed.json", #"[{"Id":"a"},"#)
        #expect(try readAll(unclosed).map(\.problem?.code) == [nil, .truncated])
    }
}
