import Collector
import Events
import Foundation
import Testing

@Suite("Audit record parser")
struct AuditRecordParserTests {
    let parser = AuditRecordParser()
    let tenant = "7f3b2c1a-4d5e-4f60-9a8b-2c1d0e9f8a7b"

    func parse(_ json: String, tenant: String? = nil) throws(AuditRecordParser.Problem)
        -> AuditRecordParser.ParsedRecord
    {
        try parser.parse(Array(json.utf8), expectedTenant: tenant)
    }

    @Test("a record with quirks (strings for numbers, time without zone) is keyed by tenant and lower-cased UPN")
    func quirkyRecordParses() throws {
        let record = try parse(
            #"{"Id":"A1","CreationTime":"2026-11-20T08:15:00","UserType":"0","UserId":"Alice@Contoso.com","OrganizationId":"\#(tenant)"}"#,
            tenant: tenant.uppercased())
        #expect(record.recordId == "A1")
        #expect(record.key.description == "\(tenant)/alice@contoso.com")
        #expect(record.creationTime == Date(timeIntervalSince1970: 1_795_162_500))
    }

    @Test("a system actor is keyed apart from users")
    func systemActorKeyedApart() throws {
        let record = try parse(
            #"{"Id":"A2","CreationTime":"2026-11-20T08:15:00Z","UserType":4,"UserId":"NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)"}"#,
            tenant: tenant)
        #expect(record.key.description == "\(tenant)/~system")
    }

    @Test(
        "records that cannot be identified or placed are refused with a reason",
        arguments: [
            (#"{"CreationTime":"2026-11-20T08:15:00"}"#, "missingId"),
            (#"{"Id":"x","CreationTime":"yesterday"}"#, "invalidCreationTime"),
            (#"{"Id":"x"}"#, "missingCreationTime"),
            (#"[1,2]"#, "notAnObject"),
            (#"{"Id":"x","CreationTime":"2026-11-20T08:15:00","#, "malformedJSON"),
            (#"{"Id":"x","CreationTime":"2026-11-20T08:15:00","OrganizationId":"other-tenant"}"#, "wrongTenant"),
        ])
    func badRecordsRefused(json: String, errorClass: String) {
        #expect(throws: AuditRecordParser.Problem.self) { try parse(json, tenant: tenant) }
        do {
            _ = try parse(json, tenant: tenant)
        } catch {
            #expect(error.errorClass == errorClass)
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("without an expected tenant the record's own OrganizationId names it, and its absence is an error")
    func tenantFromRecord() throws {
        let record = try parse(#"{"Id":"A3","CreationTime":"2026-11-20T08:15:00","OrganizationId":"\#(tenant)"}"#)
        #expect(record.key.tenantID == tenant)
        #expect(throws: AuditRecordParser.Problem.self) {
            try parse(#"{"Id":"A3","CreationTime":"2026-11-20T08:15:00"}"#)
        }
    }
}
