import Events
import Foundation
import Testing

@testable import Correlation

/// Raw inputs for the normalizer tests, wrapped the way the collectors wrap them.
enum RawRecords {
    static let tenant = "7d3c2b1a-0000-4000-8000-00000000c0de"
    static let collectedAt = Date(timeIntervalSince1970: 1_795_140_000)

    /// JSON text as a value; a test that writes invalid JSON fails here, loudly.
    static func json(_ text: String) throws -> JSONValue {
        try BoundedJSONDecoder().decode(JSONValue.self, from: Array(text.utf8))
    }

    static func source(_ topic: String) -> SourceReference {
        SourceReference(topic: topic, partition: 2, offset: 41, recordId: "")
    }

    static func audit(
        _ record: JSONValue, recordId: String = "4a1b0c2d-1111-4222-8333-444455556666",
        subject: String = "alice@contoso.com",
        cloudEventId: String? = nil, contentType: String = "Audit.Exchange"
    ) throws -> RawInput {
        let envelope = RawAuditEnvelope(
            tenantId: tenant.uppercased(), contentType: contentType, contentId: "blob-1", recordId: recordId,
            collectedAt: collectedAt, record: record)
        return RawInput(
            feed: .audit, key: "\(tenant)/\(subject)", value: try EventEncoder().encode(envelope),
            cloudEventId: cloudEventId, source: source("inboxwatch.raw.audit"))
    }

    static func audit(_ text: String, subject: String = "alice@contoso.com") throws -> RawInput {
        try audit(json(text), subject: subject)
    }

    static func mailEnvelope(
        _ kind: RawMailEnvelope.ResourceKind, _ resource: JSONValue, change: RawMailEnvelope.ChangeKind = .created,
        resourceId: String = "res-1", mailbox: String? = "alice@contoso.com"
    ) -> RawMailEnvelope {
        RawMailEnvelope(
            tenantId: tenant, resourceKind: kind, changeKind: change, resourceId: resourceId, mailbox: mailbox,
            collectedAt: collectedAt, resource: resource)
    }

    static func mail(
        _ kind: RawMailEnvelope.ResourceKind, _ text: String, change: RawMailEnvelope.ChangeKind = .created,
        subject: String = "alice@contoso.com", cloudEventId: String? = nil
    ) throws -> RawInput {
        try mail(mailEnvelope(kind, json(text), change: change), subject: subject, cloudEventId: cloudEventId)
    }

    static func mail(_ envelope: RawMailEnvelope, subject: String = "alice@contoso.com", cloudEventId: String? = nil)
        throws -> RawInput
    {
        RawInput(
            feed: .mail, key: "\(tenant)/\(subject)", value: try EventEncoder().encode(envelope),
            cloudEventId: cloudEventId, source: source("inboxwatch.raw.mail"))
    }

    /// An Exchange admin cmdlet record with `Parameters` as the usual `{Name, Value}` array.
    static func cmdlet(
        _ cmdlet: String, _ parameters: [(String, String)], userId: String = "alice@contoso.com",
        userType: String = "0",
        clientIP: String = "203.0.113.7"
    ) throws -> JSONValue {
        let list = parameters.map { "{\"Name\":\(JSONValue.quoted($0.0)),\"Value\":\(JSONValue.quoted($0.1))}" }
        return try json(
            """
            {"CreationTime":"2026-11-20T01:02:03","Id":"4a1b0c2d-1111-4222-8333-444455556666",
             "Operation":\(JSONValue.quoted(cmdlet)),"OrganizationId":"\(tenant)","RecordType":1,
             "ResultStatus":"True","UserType":\(userType),"UserId":\(JSONValue.quoted(userId)),
             "ClientIP":\(JSONValue.quoted(clientIP)),"Workload":"Exchange","ObjectId":"x",
             "Parameters":[\(list.joined(separator: ","))]}
            """)
    }

    /// The same cmdlet with `Parameters` as one PowerShell-style string.
    static func cmdlet(_ cmdlet: String, powerShell: String, userType: Int = 0) throws -> JSONValue {
        try json(
            """
            {"CreationTime":"2026-11-20T01:02:03.517","Id":"4a1b0c2d-1111-4222-8333-444455556666",
             "Operation":\(JSONValue.quoted(cmdlet)),"OrganizationId":"\(tenant)","RecordType":"1",
             "ResultStatus":"True","UserType":"\(userType)","UserId":"alice@contoso.com","ClientIP":"203.0.113.7:50123",
             "Workload":"Exchange","Parameters":\(JSONValue.quoted(powerShell))}
            """)
    }

    static func normalize(_ input: RawInput) throws -> SecurityEvent {
        try Normalizer().normalize(input)
    }

    /// The code the normalizer refused `input` with; nil when it did not refuse it.
    static func refusal(_ input: RawInput) -> NormalizationError.Code? {
        do {
            _ = try Normalizer().normalize(input)
            return nil
        } catch {
            return error.code
        }
    }

    /// 2026-11-20T01:02:03Z.
    static let recordTime = Date(timeIntervalSince1970: 1_795_136_523)
}
