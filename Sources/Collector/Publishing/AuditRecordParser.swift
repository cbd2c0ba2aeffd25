public import Events
public import Foundation
import M365

/// Turns one audit record's bytes, as Microsoft or an export wrote them, into what goes on
/// `inboxwatch.raw.audit`: the key, the envelope and the CloudEvents headers — or says
/// precisely why it cannot, so the record goes to the dead-letter topic instead.
///
/// It accepts every inconsistency of real records the notes list (`UserType` as a string,
/// `CreationTime` without a zone, `UserId` as a GUID or `Not Available`); it refuses only what
/// would make the record unidentifiable or unplaceable: not a JSON object, no `Id`, no usable
/// `CreationTime`, or a tenant other than the one being collected.
public struct AuditRecordParser: Sendable {
    public var limits: JSONLimits

    public init(limits: JSONLimits = .standard) {
        self.limits = limits
    }

    /// A record ready to publish.
    public struct ParsedRecord: Sendable, Hashable {
        public var recordId: String
        public var key: RecordKey
        public var creationTime: Date
        public var record: JSONValue
    }

    /// Why a record cannot be published; `errorClass` groups dead letters.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var errorClass: String
        public var reason: String
        public var description: String { "\(errorClass): \(reason)" }

        public init(errorClass: String, reason: String) {
            self.errorClass = errorClass
            self.reason = reason
        }
    }

    /// - Parameter expectedTenant: the tenant being collected; a record naming another
    ///   `OrganizationId` is refused (a mixed-up export or a misrouted blob). Nil accepts the
    ///   record's own tenant (file ingest without `--tenant`).
    public func parse(_ bytes: [UInt8], expectedTenant: String?) throws(Problem) -> ParsedRecord {
        let value: JSONValue
        do {
            // The decoder checks the limits itself before decoding; checking here too cost a
            // second scan of every record.
            value = try BoundedJSONDecoder(limits: limits).decode(JSONValue.self, from: bytes)
        } catch {
            throw Problem(errorClass: "malformedJSON", reason: "not valid JSON: \(error.message)")
        }
        guard case .object(let fields) = value else {
            throw Problem(
                errorClass: "notAnObject", reason: "an audit record is a JSON object; this is \(value.kindName)")
        }
        guard let id = fields["Id"]?.stringValue?.trimmingCharacters(in: .whitespaces), !id.isEmpty else {
            throw Problem(errorClass: "missingId", reason: "the record has no Id, so it cannot be deduplicated")
        }
        guard let timeText = fields["CreationTime"]?.stringValue else {
            throw Problem(errorClass: "missingCreationTime", reason: "record \(id) has no CreationTime")
        }
        guard let creationTime = M365Time.parseISO(timeText) else {
            throw Problem(
                errorClass: "invalidCreationTime",
                reason: "record \(id) has CreationTime \(timeText.prefix(40)), not an ISO 8601 time")
        }
        let organization = fields["OrganizationId"]?.stringValue?.keyNormalized
        let tenant: String
        switch (expectedTenant?.keyNormalized, organization) {
        case (let expected?, let named?) where !named.isEmpty && named != expected:
            throw Problem(
                errorClass: "wrongTenant",
                reason: "record \(id) belongs to tenant \(named), not to \(expected) being collected")
        case (let expected?, _): tenant = expected
        case (nil, let named?) where !named.isEmpty: tenant = named
        case (nil, _):
            throw Problem(
                errorClass: "missingTenant",
                reason: "record \(id) has no OrganizationId; name the tenant (--tenant) to ingest it")
        }
        let key = RecordKey(tenantID: tenant, auditRecord: fields)
        return ParsedRecord(recordId: id, key: key, creationTime: creationTime, record: value)
    }
}

extension JSONValue {
    /// A number, or a string holding one (`"UserType":"0"`).
    var intValue: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .number(let value): Int(exactly: value)
        case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }
}
