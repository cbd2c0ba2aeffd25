import Foundation
import Testing

@testable import Collector

@Suite("Ingest: telling exports from other files")
struct FormatDetectionTests {
    static let expected =
        "expected a CSV whose header has an AuditData column (as exported by Purview audit search or "
        + "Search-UnifiedAuditLog | Export-Csv)"

    @Test("both known CSV headers are recognized, with the AuditData column found ignoring case")
    func csvHeaders() throws {
        let classic = try AuditExportFormat.detect(
            prefix: Array("CreationDate,UserIds,Operations,AuditData\r\n".utf8), isWholeFile: true, path: "a.csv")
        #expect(
            classic
                == .csv(
                    .init(columns: ["CreationDate", "UserIds", "Operations", "AuditData"], auditDataColumn: 3, row: 1)))
        let purview = try AuditExportFormat.detect(
            prefix: [0xEF, 0xBB, 0xBF]
                + Array(
                    ("RecordId,CreationDate,RecordType,Operation,UserId,AUDITDATA,AssociatedAdminUnits,"
                        + "AssociatedAdminUnitsNames\n").utf8),
            isWholeFile: true, path: "b.csv")
        guard case .csv(let header) = purview else {
            Issue.record("detected \(purview)")
            return
        }
        #expect(header.auditDataColumn == 5)
        #expect(header.columns.count == 8)
    }

    @Test("a file that is not an export is refused at once, saying what was expected and what was found")
    func rejections() throws {
        let fixtures = try IngestFixtures()
        let cases: [(name: String, bytes: [UInt8], says: [String])] = [
            (
                "users.csv", Array("UserPrincipalName,DisplayName,Department\nadele@contoso.com,Adele,Sales\n".utf8),
                [Self.expected, #"found header: "UserPrincipalName,DisplayName,Department""#]
            ),
            ("empty.csv", [], ["found an empty file"]),
            ("blank.jsonl", Array("\n \r\n\t".utf8), ["found an empty file"]),
            (
                "report.xlsx", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00],
                ["a ZIP archive", "save it as CSV UTF-8"]
            ),
            ("export.csv.gz", [0x1F, 0x8B, 0x08, 0x00], ["gzip-compressed"]),
            ("notes.txt", Array("Meeting notes\nThe audit went fine.\n".utf8), [#"found header: "Meeting notes""#]),
            ("binary.bin", [0x41, 0x00, 0x42, 0x0A], ["binary data"]),
            ("pretty.json", Array("{\n  \"Id\": \"a\"\n}\n".utf8), ["JSON spread over several lines", "jq -c ."]),
        ]
        for (name, bytes, says) in cases {
            let path = try fixtures.write(name, bytes)
            let error = #expect(throws: IngestError.self, "\(name)") { _ = try AuditExportReader(path: path) }
            #expect(error?.code == .notAnExport, "\(name)")
            #expect(error?.path == path)
            for phrase in says {
                #expect(error?.message.contains(phrase) == true, "\(name): \(error?.message ?? "")")
            }
            #expect(error?.message.hasPrefix(path) == true)
            #expect(error?.message.contains("\n") == false)
        }
    }

    @Test("the found header is cut to 80 characters and printable")
    func foundHeaderIsShort() throws {
        let header = "Date\tTime\tUser\u{7}" + String(repeating: "Column,", count: 40)
        let error = #expect(throws: IngestError.self) {
            _ = try AuditExportFormat.detect(prefix: Array((header + "\n").utf8), isWholeFile: true, path: "x.csv")
        }
        let message = try #require(error?.message)
        let found = try #require(message.range(of: "found header: ")).upperBound
        #expect(message[found...].hasPrefix(#""Date\tTime\tUser\u{7}Column,"#))
        #expect(message[found...].count < 100)
    }

    @Test("a header line that does not end within the detection window is refused")
    func headerBeyondWindow() {
        let prefix =
            Array(repeating: UInt8(ascii: "x"), count: AuditExportFormat.detectionWindow) + Array(",AuditData".utf8)
        let error = #expect(throws: IngestError.self) {
            _ = try AuditExportFormat.detect(prefix: prefix, isWholeFile: false, path: "wide.csv")
        }
        #expect(error?.message.contains("no complete header line in the first") == true)
    }

    @Test("UTF-16 exports get a message saying how to convert them")
    func utf16() throws {
        let fixtures = try IngestFixtures()
        let path = try fixtures.write("unicode.csv", [0xFF, 0xFE] + Array("A\0u\0".utf8))
        let error = #expect(throws: IngestError.self) { _ = try AuditExportReader(path: path) }
        #expect(error?.code == .unsupportedEncoding)
        #expect(error?.message.contains("iconv -f UTF-16 -t UTF-8") == true)
    }

    @Test("a missing file or a directory is unreadable, not a format problem")
    func unreadable() throws {
        let fixtures = try IngestFixtures()
        let missing = fixtures.directory.appendingPathComponent("nope.csv").path
        let error = #expect(throws: IngestError.self) { _ = try AuditExportReader(path: missing) }
        #expect(error?.code == .unreadable)
        #expect(error?.message == "\(missing) does not exist")
        let directory = #expect(throws: IngestError.self) {
            _ = try AuditExportReader(path: fixtures.directory.path)
        }
        #expect(directory?.code == .unreadable)
        #expect(directory?.message.contains("is a directory") == true)
    }

    @Test("a CSV with a header and no rows is an export with no records")
    func headerOnly() throws {
        let fixtures = try IngestFixtures()
        let path = try fixtures.write("none.csv", "CreationDate,UserIds,Operations,AuditData\r\n")
        #expect(try readAll(path).isEmpty)
    }
}
