public import Foundation

/// The fields of an audit record that the pipeline keys, orders and routes on, read once at
/// ingest so that nothing downstream has to parse the record again just to file it.
///
/// The record itself stays as bytes in ``IngestedRecord/bytes``; these are copies.
public struct AuditRecordFields: Sendable, Hashable {
    /// `Id`: the record's unique id (a GUID), the key for deduplication.
    public var recordId: String
    /// `OrganizationId`: the tenant.
    public var organizationId: String?
    /// `CreationTime`, always UTC (a time without a zone is read as UTC, as Microsoft means it).
    public var creationTime: Date?
    /// `UserId`: the UPN or account that acted.
    public var userId: String?
    /// `UserType`: a number in Management API records (`0` = regular user), a name in some exports.
    public var userType: AuditEnumValue?
    /// `Workload`: `Exchange`, `AzureActiveDirectory`, `SharePoint`, …
    public var workload: String?
    /// `RecordType`: a number in Management API records (`2` = ExchangeItem), a name in some exports.
    public var recordType: AuditEnumValue?
    /// `Operation`: `MailItemsAccessed`, `New-InboxRule`, `UserLoggedIn`, …
    public var operation: String?

    public init(
        recordId: String, organizationId: String? = nil, creationTime: Date? = nil, userId: String? = nil,
        userType: AuditEnumValue? = nil, workload: String? = nil, recordType: AuditEnumValue? = nil,
        operation: String? = nil
    ) {
        self.recordId = recordId
        self.organizationId = organizationId
        self.creationTime = creationTime
        self.userId = userId
        self.userType = userType
        self.workload = workload
        self.recordType = recordType
        self.operation = operation
    }
}

/// A Microsoft enumeration as a record carries it: the Management API writes the number
/// (`"RecordType": 15`), while some exports and tools write the name (`"AzureActiveDirectoryStsLogon"`).
/// Both are kept as found; mapping names to numbers is left to whoever needs one form.
public enum AuditEnumValue: Sendable, Hashable, CustomStringConvertible {
    case number(Int64)
    case name(String)

    public var description: String {
        switch self {
        case .number(let value): String(value)
        case .name(let value): value
        }
    }
}
