import Events
import Foundation
import M365

/// How one item of a time-window source becomes a raw mail change: who it is about (the key),
/// whether it is new or changed, and its event time.
enum MailWindowItem {
    /// The change an item stands for; nil for an item without an `id` (not a Graph resource).
    static func change(_ item: GraphItem, kind: MailWindowSource, tenantId: String, collectedAt: Date) -> MailChange? {
        guard let id = item.id, !id.isEmpty else { return nil }
        let raw = item.raw
        let key: RecordKey
        var changeKind = RawMailEnvelope.ChangeKind.created
        var time = item.time
        switch kind {
        case .signIns:
            key = RecordKey(tenantID: tenantId, user: firstNonEmpty(raw["userPrincipalName"], raw["userId"]))
        case .riskyUsers:
            // A risky user is a state that changes, never a new event: always `updated`.
            changeKind = .updated
            key = RecordKey(tenantID: tenantId, user: firstNonEmpty(raw["userPrincipalName"], raw["id"]))
        case .threatSubmissions:
            // About the user who received the reported mail; the reporter when it names none.
            key = RecordKey(
                tenantID: tenantId,
                user: firstNonEmpty(raw["recipientEmailAddress"], raw["createdBy"]?["user"]?["email"]))
        case .alerts:
            key = RecordKey(tenantID: tenantId, user: alertSubject(raw))
            let created = item.date("createdDateTime")
            if let created, let updated = item.date("lastUpdateDateTime"), updated > created {
                changeKind = .updated
            } else {
                time = created ?? time
            }
        }
        return MailChange(
            envelope: RawMailEnvelope(
                tenantId: tenantId, resourceKind: kind.resourceKind, changeKind: changeKind, resourceId: id,
                collectedAt: collectedAt, resource: raw),
            key: key, eventTime: time ?? collectedAt)
    }

    /// The user an alert is about: its user evidence, else its mailbox evidence, else the
    /// recipient of the message it analysed; nil (unattributed) when it names nobody.
    static func alertSubject(_ alert: JSONValue) -> String? {
        guard case .array(let evidence)? = alert["evidence"] else { return nil }
        func first(_ type: String, _ value: (JSONValue) -> String?) -> String? {
            for item in evidence where item["@odata.type"]?.stringValue?.hasSuffix(type) == true {
                if let found = value(item), !found.isEmpty { return found }
            }
            return nil
        }
        return first("userEvidence") { $0["userAccount"]?["userPrincipalName"]?.stringValue }
            ?? first("mailboxEvidence") {
                $0["userAccount"]?["userPrincipalName"]?.stringValue ?? $0["primaryAddress"]?.stringValue
            }
            ?? first("analyzedMessageEvidence") { $0["recipientEmailAddress"]?.stringValue }
    }

    private static func firstNonEmpty(_ values: JSONValue?...) -> String? {
        values.lazy.compactMap { $0?.stringValue }.first { !$0.isEmpty }
    }
}
