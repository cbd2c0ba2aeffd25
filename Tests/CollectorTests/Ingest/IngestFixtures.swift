import Foundation
import Testing

@testable import Collector

/// Fixture files for ingest tests, written to a fresh temporary directory: SwiftPM resources
/// would need declaring in Package.swift, and generated files say exactly what they contain.
struct IngestFixtures: ~Copyable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes `bytes` to `name` in the directory and returns the path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }
}

/// Reads a whole export; tests only, where files are small.
func readAll(_ path: String, options: AuditExportReader.Options = .init()) throws -> [IngestedRecord] {
    var reader = try AuditExportReader(path: path, options: options)
    var records: [IngestedRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

/// One CSV field, quoted as Export-Csv and Purview write it: always quoted, inner quotes doubled.
func csvQuoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

/// Audit records shaped like the Management Activity API's, with the awkward bits real ones
/// have: commas and quotes in values, escaped quotes, non-ASCII names, numbers and strings.
enum AuditSamples {
    static let organizationId = "b7c3a1e2-5d4f-4a6b-9c8d-0e1f2a3b4c5d"

    static func mailItemsAccessed(id: String, time: String = "2024-03-05T09:14:27") -> String {
        #"{"CreationTime":"\#(time)","Id":"\#(id)","Operation":"MailItemsAccessed","#
            + #""OrganizationId":"\#(organizationId)","RecordType":50,"ResultStatus":"Succeeded","#
            + #""UserKey":"10032001A2B3C4D5","UserType":0,"Version":1,"Workload":"Exchange","#
            + #""ClientIP":"203.0.113.45","UserId":"adele.vance@contoso.com","#
            + #""AppId":"00000002-0000-0ff1-ce00-000000000000","#
            + #""ClientIPAddress":"203.0.113.45","ClientInfoString":"Client=REST;Client=RESTSystem;;","#
            + #""ExternalAccess":false,"InternalLogonType":0,"LogonType":0,"LogonUserSid":"S-1-5-21-1","#
            + #""MailboxGuid":"2f8e1c4a-7b3d-4e5f-9a0b-1c2d3e4f5a6b","MailboxOwnerUPN":"adele.vance@contoso.com","#
            + #""OperationProperties":[{"Name":"MailAccessType","Value":"Bind"},"#
            + #"{"Name":"IsThrottled","Value":"False"}],"#
            + #""Folders":[{"FolderItems":[{"InternetMessageId":"<PH0PR11MB1234@namprd11.prod.outlook.com>"}],"#
            + #""Path":"\\Inbox"}]}"#
    }

    /// An inbox rule whose parameters hold commas, quotes (JSON-escaped) and a non-ASCII name.
    static let newInboxRule =
        #"{"CreationTime":"2024-03-05T09:20:01","Id":"6e1f0d2c-3b4a-4c5d-8e9f-a0b1c2d3e4f5","#
        + #""Operation":"New-InboxRule","OrganizationId":"b7c3a1e2-5d4f-4a6b-9c8d-0e1f2a3b4c5d","#
        + #""RecordType":1,"ResultStatus":"True","UserKey":"NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)","#
        + #""UserType":2,"Version":1,"Workload":"Exchange","ClientIP":"198.51.100.7","#
        + #""ObjectId":"contoso.onmicrosoft.com\/Adele Vance\\.. ,Rule","UserId":"adele.vance@contoso.com","#
        + #""Parameters":[{"Name":"Name","Value":"..."},{"Name":"SubjectContainsWords","#
        + #""Value":"invoice, \"urgent\" payment;Überweisung"},{"Name":"MoveToFolder","Value":"RSS Feeds"},"#
        + #"{"Name":"MarkAsRead","Value":"True"},{"Name":"StopProcessingRules","Value":"True"}]}"#

    /// An Entra sign-in; pretty-printed with CRLF, as some tools write AuditData.
    static let stsLogonPretty =
        "{\r\n  \"CreationTime\": \"2024-03-05T09:02:11.5870000Z\",\r\n"
        + "  \"Id\": \"c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f\",\r\n  \"Operation\": \"UserLoggedIn\",\r\n"
        + "  \"OrganizationId\": \"b7c3a1e2-5d4f-4a6b-9c8d-0e1f2a3b4c5d\",\r\n  \"RecordType\": 15,\r\n"
        + "  \"UserType\": 0,\r\n  \"Workload\": \"AzureActiveDirectory\",\r\n"
        + "  \"UserId\": \"adele.vance@contoso.com\",\r\n"
        + "  \"ExtendedProperties\": [{\"Name\": \"UserAgent\", "
        + "\"Value\": \"Mozilla/5.0 (Windows NT 10.0, Win64)\"}]\r\n}"

    /// The same kind of record as another tool writes it: enumerations as names, a zone offset.
    static let namedEnums =
        #"{"CreationTime":"2024-03-05T10:02:11+01:00","Id":"d4c3b2a1-0000-4000-8000-000000000001","#
        + #""Operation":"Set-Mailbox","OrganizationId":"b7c3a1e2-5d4f-4a6b-9c8d-0e1f2a3b4c5d","#
        + #""RecordType":"ExchangeAdmin","UserType":"Admin","Workload":"Exchange","UserId":"admin@contoso.com"}"#
}

/// A clock for progress tests that moves only when told.
struct ManualInstant: InstantProtocol {
    var offset: Duration

    func advanced(by duration: Duration) -> ManualInstant { ManualInstant(offset: offset + duration) }
    func duration(to other: ManualInstant) -> Duration { other.offset - offset }
    static func < (lhs: ManualInstant, rhs: ManualInstant) -> Bool { lhs.offset < rhs.offset }
}
