import Foundation

/// The Kafka key of every user-scoped record, state and story:
/// `tenantId/subject`, lower-cased and trimmed (DESIGN.md, "One key, everywhere").
///
/// The subject is the user principal name when the record names one. Records
/// that name the user only by object id, name no one (`Not Available`), or were
/// made by a system actor get distinct, stable subjects so that they are never
/// mixed into a real user's story, and a later directory lookup can re-key them.
public struct RecordKey: Sendable, Hashable, CustomStringConvertible {
    public let tenantID: String
    public let subject: Subject

    /// Who a record is about, as far as the record itself says.
    public enum Subject: Sendable, Hashable {
        /// A user principal name, lower-cased (`alice@contoso.com`).
        case principalName(String)
        /// An Entra ID object id (a GUID), lower-cased, when no UPN is given.
        case objectID(String)
        /// A service, daemon or Microsoft datacenter process (`NT AUTHORITY\SYSTEM (...)`, UserType 3/4).
        case system
        /// An application or service principal acting on its own (UserType 5/6), by its id.
        case application(String)
        /// The record names nobody (`Not Available`, empty).
        case unattributed
    }

    public init(tenantID: String, subject: Subject) {
        self.tenantID = tenantID.keyNormalized
        self.subject = subject
    }

    /// The key of a Management Activity record: its actor, except for the records Microsoft's own
    /// processes write about a user. A `TIMailData` record is about the mailbox that sent the mail
    /// (outbound and intra-organisation mail) or, inbound, its one recipient; keyed by the actor
    /// (`ThreatIntelligence`) it would never reach that user's state. One with several inbound
    /// recipients stays with its actor: it cannot be about all of them at once.
    public init(tenantID: String, auditRecord fields: [String: JSONValue]) {
        if fields["Operation"]?.stringValue?.lowercased() == "timaildata",
            let subject = Self.threatMailSubject(fields)
        {
            self.init(tenantID: tenantID, user: subject)
            return
        }
        let userType: Int? =
            switch fields["UserType"] {
            case .integer(let number)?: Int(exactly: number)
            case .number(let number)?: Int(exactly: number)
            case .string(let text)?: Int(text.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        self.init(tenantID: tenantID, user: fields["UserId"]?.stringValue, userType: userType)
    }

    private static func threatMailSubject(_ fields: [String: JSONValue]) -> String? {
        let direction = fields["Directionality"]?.stringValue?.lowercased() ?? ""
        if direction == "outbound" || direction == "intraorg" {
            return fields["P1Sender"]?.stringValue ?? fields["SenderAddress"]?.stringValue
        }
        let recipients: [String]
        switch fields["Recipients"] {
        case .array(let items)?: recipients = items.compactMap(\.stringValue)
        case .string(let text)?: recipients = text.split(separator: ";").map { String($0) }
        default: recipients = []
        }
        let distinct = Set(
            recipients.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        return distinct.count == 1 ? distinct.first : nil
    }

    /// Reads the subject from what an audit record or Graph resource says about its actor.
    /// - Parameters:
    ///   - user: `UserId` / `userPrincipalName` as received.
    ///   - userType: the Management Activity `UserType` when known (3/4 system, 5/6 application).
    public init(tenantID: String, user: String?, userType: Int? = nil) {
        self.init(tenantID: tenantID, subject: Self.subject(user: user, userType: userType))
    }

    /// The key as bytes on the wire.
    public var description: String { "\(tenantID)/\(subjectText)" }

    public var bytes: [UInt8] { Array(description.utf8) }

    private var subjectText: String {
        switch subject {
        case .principalName(let upn): upn
        case .objectID(let id): "id:\(id)"
        case .system: "~system"
        case .application(let id): "app:\(id)"
        case .unattributed: "~unattributed"
        }
    }

    static func subject(user: String?, userType: Int?) -> Subject {
        let text = (user ?? "").keyNormalized
        if userType == 3 || userType == 4 || isSystemActor(text) { return .system }
        if userType == 5 || userType == 6 { return text.isEmpty ? .unattributed : .application(text) }
        if text.isEmpty || text == "not available" || text == "n/a" { return .unattributed }
        var address = Substring(text)
        if address.hasPrefix("smtp:") { address = address.dropFirst(5) }
        if address.isEmpty { return .unattributed }
        if address.contains("@") { return .principalName(String(address)) }
        if isGUID(address) { return .objectID(String(address)) }
        // A bare account name (`contoso\alice`) is not a UPN: keep it apart rather than guess.
        return .principalName(String(address))
    }

    private static func isSystemActor(_ text: String) -> Bool {
        text.hasPrefix("nt authority\\") || text.hasPrefix("s-1-5-18") || text == "system"
            || text.hasPrefix("servicehost") || text.hasSuffix("(microsoft.exchange.servicehost)")
    }

    private static func isGUID<S: StringProtocol>(_ text: S) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
