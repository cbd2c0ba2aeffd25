public import Foundation

/// One audit record the tenant will publish, and when.
public struct AuditRecordSpec: Sendable, Hashable {
    /// The record's `Id`; `nil` only for deliberately malformed records.
    public var id: String?
    public var contentType: ManagementContentType
    public var creationTime: Date
    /// How long after `creationTime` the record is listed in a blob.
    public var publicationDelay: TimeInterval
    /// If set, the same record appears a second time, in a later blob, with its
    /// keys in another order, this long after the first copy.
    public var duplicateDelay: TimeInterval?
    /// The upper-cased UPN (or system actor) the record is about, for ground-truth checks.
    public var subject: String
    public var body: Body

    /// What to render. Most records are fixed documents; sign-ins are rendered
    /// when served, because a disabled account's later sign-ins must fail.
    public enum Body: Sendable, Hashable {
        case document(OrderedJSON)
        case signIn(SignInEvent, AuditQuirks)
        /// Not a valid audit record at all (a fault): served as these bytes inside the blob's array.
        case malformed(String)
    }

    public init(
        id: String?, contentType: ManagementContentType, creationTime: Date, publicationDelay: TimeInterval,
        duplicateDelay: TimeInterval? = nil, subject: String, body: Body
    ) {
        self.id = id
        self.contentType = contentType
        self.creationTime = creationTime
        self.publicationDelay = publicationDelay
        self.duplicateDelay = duplicateDelay
        self.subject = subject
        self.body = body
    }
}

/// The inconsistencies of real audit records, chosen per record from the seed.
public struct AuditQuirks: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `"RecordType":"15"` instead of `15`.
    public static let recordTypeAsString = AuditQuirks(rawValue: 1 << 0)
    /// `"UserType":"0"`.
    public static let userTypeAsString = AuditQuirks(rawValue: 1 << 1)
    /// `"Version":"1"`.
    public static let versionAsString = AuditQuirks(rawValue: 1 << 2)
    /// `Parameters` / `ExtendedProperties` as one PowerShell-style string.
    public static let parametersAsString = AuditQuirks(rawValue: 1 << 3)
    /// `ClientIP` with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`).
    public static let clientIPWithPort = AuditQuirks(rawValue: 1 << 4)
    /// `ClientIP` as an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`).
    public static let clientIPMapped = AuditQuirks(rawValue: 1 << 5)
    /// `UserId` as the user's object id instead of the UPN.
    public static let userIdAsGUID = AuditQuirks(rawValue: 1 << 6)
}
