import Foundation
import Testing

@testable import Collector

@Suite("Ingest: chunked reading")
struct ChunkedReadingTests {
    /// A CSV where every awkward spot (doubled quotes, CRLF inside and between rows, a BOM,
    /// a row with a problem) lands on a chunk boundary for some chunk size.
    static func trickyCSV() -> [UInt8] {
        var text =
            "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,"
            + "AssociatedAdminUnitsNames\r\n"
        text += "a,d,15,UserLoggedIn,u,\(csvQuoted(AuditSamples.stsLogonPretty)),,\r\n"
        text += "b,d,1,New-InboxRule,u,\(csvQuoted(AuditSamples.newInboxRule)),,\r\n"
        text += "c,d,1,x,u,\(csvQuoted("{}")),\r\n"
        text += "\r\n"
        text += "d,d,50,MailItemsAccessed,u,\(csvQuoted(AuditSamples.mailItemsAccessed(id: "id-d"))),\"\",\"\""
        return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    }

    static func trickyJSONLines() -> [UInt8] {
        Array(
            (AuditSamples.newInboxRule + "\r\n\n" + #"{"Id":"x""# + "\n" + AuditSamples.mailItemsAccessed(id: "m"))
                .utf8)
    }

    static func trickyArray() -> [UInt8] {
        Array(
            ("[" + AuditSamples.stsLogonPretty + ",\n" + #"{"Id":"s","Note":"a \"quoted\" ], { string"}"# + ","
                + AuditSamples.newInboxRule + ", 42]").utf8)
    }

    @Test(
        "chunk boundaries anywhere, even inside quoted fields and CRLF pairs, change nothing",
        arguments: [("tricky.csv", trickyCSV()), ("tricky.jsonl", trickyJSONLines()), ("tricky.json", trickyArray())])
    func everyChunkSize(name: String, bytes: [UInt8]) throws {
        let fixtures = try IngestFixtures()
        let path = try fixtures.write(name, bytes)
        let whole = try readAll(path)
        #expect(whole.count >= 3)
        #expect(whole.contains { $0.problem != nil })
        #expect(whole.contains { $0.fields != nil })
        for chunkSize in Array(1...19) + [64, 127, 1000] {
            let chunked = try readAll(path, options: .init(chunkSize: chunkSize))
            #expect(chunked == whole, "chunk size \(chunkSize)")
        }
    }

    @Test("the tricky CSV reads as intended")
    func trickyCSVContent() throws {
        let fixtures = try IngestFixtures()
        let path = try fixtures.write("tricky.csv", Self.trickyCSV())
        let read = try readAll(path, options: .init(chunkSize: 3))
        #expect(
            read.map(\.fields?.recordId) == [
                "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
                "6e1f0d2c-3b4a-4c5d-8e9f-a0b1c2d3e4f5", nil, "id-d",
            ])
        #expect(read[2].problem?.code == .wrongFieldCount)
        #expect(read[3].location == "\(path):row 6 (line 16)")
        #expect(read[0].bytes == Array(AuditSamples.stsLogonPretty.utf8))
    }

    // 5,000 rows (~6 MB) are enough to cross ~100 chunk boundaries at every kind of offset; a
    // bigger file only keeps a cooperative thread busy for seconds while other suites wait.
    @Test("5,000 generated rows come out in order, each once, with bounded reads")
    func largeExport() throws {
        let fixtures = try IngestFixtures()
        let count = 5_000
        var text =
            "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,"
            + "AssociatedAdminUnitsNames\r\n"
        text.reserveCapacity(count * 1300)
        for index in 0..<count {
            let id = "00000000-0000-4000-8000-\(String(index, radix: 16).leftPadded(to: 12))"
            text += "\(id),2024-03-05T09:14:27.0000000Z,50,MailItemsAccessed,adele.vance@contoso.com,"
            text += csvQuoted(AuditSamples.mailItemsAccessed(id: id)) + ",,\r\n"
        }
        let bytes = Array(text.utf8)
        let path = try fixtures.write("large.csv", bytes)

        // An odd chunk size puts boundaries at every offset within rows over the run.
        var reader = try AuditExportReader(path: path, options: .init(chunkSize: 6_553))
        #expect(reader.fileSize == Int64(bytes.count))
        var index = 0
        var mismatches = 0
        while let record = try reader.next() {
            let id = "00000000-0000-4000-8000-\(String(index, radix: 16).leftPadded(to: 12))"
            if record.fields?.recordId != id || record.location != "\(path):row \(index + 2)" { mismatches += 1 }
            if index % 997 == 0 {
                #expect(record.bytes == Array(AuditSamples.mailItemsAccessed(id: id).utf8))
            }
            index += 1
        }
        #expect(index == count)
        #expect(mismatches == 0)
        #expect(reader.bytesRead == Int64(bytes.count))
    }

    @Test("a row, line or element over the size limit is reported by its start and the next ones are read")
    func oversized() throws {
        let fixtures = try IngestFixtures()
        let big = #"{"Id":"big","Pad":""# + String(repeating: "x", count: 5000) + #""}"#
        let small = #"{"Id":"small"}"#
        let options = AuditExportReader.Options(chunkSize: 512, maxRecordBytes: 2048)

        let csv = try fixtures.write("big.csv", "AuditData\n\(csvQuoted(big))\n\(csvQuoted(small))\n")
        let csvRead = try readAll(csv, options: options)
        #expect(csvRead.map(\.problem?.code) == [.tooLarge, nil])
        #expect(csvRead[0].problem?.reason.contains("does not end within 2048 bytes") == true)
        #expect(csvRead[0].bytes.count <= 2048)
        #expect(csvRead[1].fields?.recordId == "small")
        #expect(csvRead[1].location == "\(csv):row 3")

        let lines = try fixtures.write("big.jsonl", big + "\n" + small + "\n")
        let lineRead = try readAll(lines, options: options)
        #expect(lineRead.map(\.problem?.code) == [.tooLarge, nil])
        #expect(lineRead[1].location == "\(lines):line 2")

        let array = try fixtures.write("big.json", "[" + big + "," + small + "]")
        let arrayRead = try readAll(array, options: options)
        #expect(arrayRead.map(\.problem?.code) == [.tooLarge, nil])
        #expect(arrayRead[1].location == "\(array):element 2 (line 1)")

        // Within the row limit but over the record limit: refused by the JSON limits.
        let limited = try readAll(
            csv, options: .init(limits: .init(maxBytes: 1024)))
        #expect(limited.map(\.problem?.code) == [.tooLarge, nil])
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
