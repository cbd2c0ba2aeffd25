import Foundation
import M365
import Testing

@testable import Collector

@Suite("Ingest: CSV exports")
struct CSVIngestTests {
    @Test("a Search-UnifiedAuditLog | Export-Csv file gives each AuditData record once, byte for byte")
    func classicExportCsv() throws {
        let fixtures = try IngestFixtures()
        let records = [
            AuditSamples.mailItemsAccessed(id: "0a1b2c3d-0000-4000-8000-000000000001"),
            AuditSamples.newInboxRule,
            AuditSamples.namedEnums,
        ]
        // Export-Csv -NoTypeInformation quotes every field and ends lines with CRLF.
        var text = #""CreationDate","UserIds","Operations","AuditData""# + "\r\n"
        for record in records {
            text +=
                [
                    csvQuoted("3/5/2024 9:14:27 AM"), csvQuoted("adele.vance@contoso.com"), csvQuoted("Op"),
                    csvQuoted(record),
                ].joined(separator: ",") + "\r\n"
        }
        let path = try fixtures.write("classic.csv", text)

        let reader = try AuditExportReader(path: path)
        guard case .csv(let header) = reader.format else {
            Issue.record("detected \(reader.format)")
            return
        }
        #expect(header.columns == ["CreationDate", "UserIds", "Operations", "AuditData"])
        #expect(header.auditDataColumn == 3)

        let read = try readAll(path)
        #expect(read.map(\.bytes) == records.map { Array($0.utf8) })
        #expect(read.map(\.location) == ["\(path):row 2", "\(path):row 3", "\(path):row 4"])
        #expect(read.allSatisfy { $0.problem == nil })

        let mail = try #require(read[0].fields)
        #expect(mail.recordId == "0a1b2c3d-0000-4000-8000-000000000001")
        #expect(mail.organizationId == AuditSamples.organizationId)
        #expect(mail.creationTime == M365Time.parseISO("2024-03-05T09:14:27Z"))
        #expect(mail.userId == "adele.vance@contoso.com")
        #expect(mail.userType == .number(0))
        #expect(mail.workload == "Exchange")
        #expect(mail.recordType == .number(50))
        #expect(mail.operation == "MailItemsAccessed")

        let named = try #require(read[2].fields)
        #expect(named.recordType == .name("ExchangeAdmin"))
        #expect(named.userType == .name("Admin"))
        #expect(named.creationTime == M365Time.parseISO("2024-03-05T09:02:11Z"))
    }

    @Test("a Purview export with BOM, LF ends and multi-line CRLF AuditData keeps rows and lines apart")
    func purviewExport() throws {
        let fixtures = try IngestFixtures()
        let header =
            "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,"
            + "AssociatedAdminUnitsNames"
        let rows = [
            ("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", "15", "UserLoggedIn", AuditSamples.stsLogonPretty),
            ("6e1f0d2c-3b4a-4c5d-8e9f-a0b1c2d3e4f5", "1", "New-InboxRule", AuditSamples.newInboxRule),
        ]
        var text = header + "\n"
        for (id, type, operation, record) in rows {
            text +=
                "\(id),\"2024-03-05T09:02:11.0000000Z \",\(type),\(operation),adele.vance@contoso.com,"
                + csvQuoted(record) + ",,\n"
        }
        let path = try fixtures.write("purview.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))

        let read = try readAll(path)
        #expect(read.map(\.bytes) == rows.map { Array($0.3.utf8) })
        // The pretty record holds 10 line breaks, so the second row starts on line 13.
        #expect(read.map(\.location) == ["\(path):row 2", "\(path):row 3 (line 13)"])
        #expect(read.map(\.fields?.recordId) == rows.map(\.0))
        #expect(read[0].fields?.creationTime == M365Time.parseISO("2024-03-05T09:02:11.587Z"))
        #expect(read[0].fields?.workload == "AzureActiveDirectory")
    }

    @Test("a #TYPE line from Windows PowerShell, mixed line ends and a last row without a line end are read")
    func preambleAndLineEnds() throws {
        let fixtures = try IngestFixtures()
        let first = AuditSamples.mailItemsAccessed(id: "id-1")
        let second = AuditSamples.mailItemsAccessed(id: "id-2")
        let third = AuditSamples.mailItemsAccessed(id: "id-3")
        let text =
            "#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.UnifiedAuditLogResult\r\n"
            + "\"RunspaceId\",\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"auditdata\"\r\n"
            + "\"r\",\"ExchangeItem\",\"d\",\"u\",\"o\",\(csvQuoted(first))\n"
            + "\r\n"
            + "\"r\",\"ExchangeItem\",\"d\",\"u\",\"o\",\(csvQuoted(second))\r"
            + "\"r\",\"ExchangeItem\",\"d\",\"u\",\"o\",\(csvQuoted(third))"
        let path = try fixtures.write("typed.csv", text)
        let read = try readAll(path)
        #expect(read.map(\.fields?.recordId) == ["id-1", "id-2", "id-3"])
        #expect(read.map(\.bytes) == [first, second, third].map { Array($0.utf8) })
        // Row 4 is the blank line: skipped, but counted, as a spreadsheet shows it.
        #expect(read.map(\.location) == ["\(path):row 3", "\(path):row 5", "\(path):row 6"])
    }

    @Test("a row with the wrong number of fields is reported with its row number and reading goes on")
    func wrongFieldCount() throws {
        let fixtures = try IngestFixtures()
        let good = AuditSamples.mailItemsAccessed(id: "id-good")
        let text =
            "CreationDate,UserIds,Operations,AuditData\n"
            + "d,u,o,\(csvQuoted(good))\n"
            + "d,u,\(csvQuoted(good))\n"
            + "d,u,o,\(csvQuoted(good)),extra\n"
            + "d,u,o,\(csvQuoted(good))\n"
        let path = try fixtures.write("shape.csv", text)
        let read = try readAll(path)
        #expect(read.count == 4)
        #expect(read[0].fields?.recordId == "id-good")
        #expect(read[3].fields?.recordId == "id-good")
        for (record, count) in [(read[1], 3), (read[2], 5)] {
            let problem = try #require(record.problem)
            #expect(problem.code == .wrongFieldCount)
            #expect(problem.reason.contains("has \(count) fields, expected 4"), "\(problem.reason)")
            #expect(problem.reason.contains("CreationDate,UserIds,Operations,AuditData"))
        }
        #expect(read[1].problem?.reason.hasPrefix("\(path):row 3: ") == true)
        #expect(read[2].location == "\(path):row 4")
        // A row that cannot be split keeps its own bytes, for the dead letter.
        #expect(read[1].bytes == Array("d,u,\(csvQuoted(good))".utf8))
    }

    @Test("a quote that never closes costs only its row's first line: the rows after it are still read")
    func unterminatedQuote() throws {
        let fixtures = try IngestFixtures()
        let good = { (id: String) in "d,u,o,\(csvQuoted(AuditSamples.mailItemsAccessed(id: id)))\n" }
        let broken = #"d,u,o,"{""Id"":""lost"",""Operation"":""x"#
        let path = try fixtures.write(
            "open-quote.csv",
            "CreationDate,UserIds,Operations,AuditData\n" + good("id-1") + broken + "\n" + good("id-3") + good("id-4"))
        let read = try readAll(path)
        #expect(read.map(\.fields?.recordId) == ["id-1", nil, "id-3", "id-4"])
        let problem = try #require(read[1].problem)
        #expect(problem.code == .unterminatedQuote)
        #expect(problem.reason.hasPrefix("\(path):row 3: "))
        #expect(read[1].bytes == Array(broken.utf8))
        #expect(read[2].location == "\(path):row 4")

        // At the very end of the file too.
        let atEnd = try fixtures.write("open-quote-end.csv", "AuditData\n" + broken.dropFirst(6))
        let last = try readAll(atEnd)
        #expect(last.count == 1)
        #expect(last[0].problem?.code == .unterminatedQuote)
        #expect(last[0].problem?.reason.contains("the file ends inside it") == true)
    }

    @Test("a stray quote that pairs with a later row's quote costs one line, not the rows in between")
    func strayQuotePairsWithLaterRow() throws {
        let fixtures = try IngestFixtures()
        let good = { (id: String) in "d,u,o,\(csvQuoted(#"{"Id":"\#(id)"}"#))\n" }
        // Row 3 opens a quote and never closes it; the next quote in the file is row 5's.
        let text =
            "CreationDate,UserIds,Operations,AuditData\n" + good("id-1") + "d,\"u,o,x\n" + "d,u,o,plain\n"
            + good("id-5") + good("id-6")
        let path = try fixtures.write("stray.csv", text)
        let read = try readAll(path)
        #expect(read.map { $0.location.dropFirst(path.count + 1) } == ["row 2", "row 3", "row 4", "row 5", "row 6"])
        #expect(read.map(\.problem?.code) == [nil, .unterminatedQuote, .notAnObject, nil, nil])
        #expect(read[1].bytes == Array("d,\"u,o,x".utf8))
        #expect(read[1].problem?.reason.contains("runs on over 3 lines") == true)
        #expect(read.compactMap(\.fields?.recordId) == ["id-1", "id-5", "id-6"])

        // A genuine multi-line row with an extra field is re-read line by line too: more problems, no lost rows.
        let extra = try fixtures.write(
            "extra.csv",
            "Operation,AuditData\no,\"{\n\"\"Id\"\": \"\"a\"\"\n}\",extra\n" + "o,\"{\"\"Id\"\":\"\"b\"\"}\"\n")
        let extraRead = try readAll(extra)
        #expect(extraRead.map(\.problem?.code) == [.wrongFieldCount, .malformedRow, .notAnObject, nil])
        #expect(extraRead.last?.fields?.recordId == "b")
        #expect(extraRead.last?.location == "\(extra):row 5")
    }

    @Test("records that are not usable come out as problems with a code and a reason naming the row")
    func perRecordProblems() throws {
        let fixtures = try IngestFixtures()
        let cases: [(cell: String, code: IngestProblem.Code, says: String)] = [
            ("", .emptyAuditData, "the AuditData column (column 2) is empty"),
            ("  ", .emptyAuditData, "is empty"),
            (#"[{"Id":"x"}]"#, .notAnObject, #"AuditData is not a JSON object: it starts with "[{\"Id\":\"x\"}]""#),
            (#""just text""#, .notAnObject, "not a JSON object"),
            (#"{"Id":"x","CreationTime":"#, .malformedJSON, "AuditData is not valid JSON"),
            (#"{"Id":"x"} trailing"#, .malformedJSON, "is not valid JSON"),
            (#"{"Operation":"MailItemsAccessed"}"#, .missingId, "has no Id"),
            (#"{"Id":"","Operation":"MailItemsAccessed"}"#, .missingId, "has no Id"),
            (#"{"Id":12345}"#, .invalidField, "has Id 12345, expected a string"),
            (#"{"Id":"x","CreationTime":"yesterday"}"#, .invalidField, #"has CreationTime "yesterday""#),
            (#"{"Id":"x","CreationTime":"2020-02-30T25:61:00"}"#, .invalidField, "expected a time like"),
            (#"{"Id":"x","RecordType":true}"#, .invalidField, "has RecordType true, expected a whole number"),
            (#"{"Id":"x","UserType":1.5}"#, .invalidField, "has UserType 1.5"),
            (#"{"Id":"x","UserId":["a"]}"#, .invalidField, "has UserId (an object or array), expected a string"),
        ]
        var text = "Operation,AuditData\n"
        for (cell, _, _) in cases { text += "o,\(csvQuoted(cell))\n" }
        text += #"o,"{""Id"":""x""}"oops"# + "\n"
        text += "o,\(csvQuoted(#"{"Id":"last","UserType":null,"Workload":null}"#))\n"
        let path = try fixtures.write("problems.csv", text)
        let read = try readAll(path)
        #expect(read.count == cases.count + 2)
        for (index, (cell, code, says)) in cases.enumerated() {
            let problem = read[index].problem
            #expect(problem?.code == code, "\(cell)")
            #expect(problem?.reason.contains(says) == true, "\(cell): \(problem?.reason ?? "no problem")")
            #expect(problem?.reason.hasPrefix("\(path):row \(index + 2): ") == true)
            #expect(read[index].bytes == Array(cell.utf8))
        }
        #expect(read[cases.count].problem?.code == .malformedRow)
        let malformed = read[cases.count].problem?.reason ?? ""
        #expect(malformed.contains("the AuditData column (column 2) has text after its closing quote"))
        // Null members count as absent, not as wrong.
        #expect(read.last?.fields == AuditRecordFields(recordId: "last"))
    }
}
