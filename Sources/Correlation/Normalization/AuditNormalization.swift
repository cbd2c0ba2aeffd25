import Events
import Foundation

extension Normalizer {
    /// Management Activity records: common fields first, then the details of the operations
    /// detections read; every other operation stays `.generic`.
    enum AuditNormalization {
        static func normalize(_ envelope: RawAuditEnvelope, origin: Origin) throws(NormalizationError) -> SecurityEvent
        {
            guard case .object(let members) = envelope.record else {
                throw NormalizationError(
                    code: .malformedRecord,
                    message: "audit record \(envelope.recordId) is \(envelope.record.kindName), not an object")
            }
            let record = AuditRecord(Fields(members))
            guard let timeText = record.fields.text("CreationTime") else {
                throw NormalizationError(
                    code: .missingEventTime, message: "audit record \(envelope.recordId) has no CreationTime")
            }
            guard let time = MicrosoftTime.parse(timeText) else {
                throw NormalizationError(
                    code: .missingEventTime,
                    message: "audit record \(envelope.recordId) has CreationTime \"\(timeText.prefix(40))\", "
                        + "which is not an ISO 8601 time")
            }
            var event = origin.event(
                kind: .generic, user: origin.user(orKey: RecordKey(tenantID: envelope.tenantId, auditRecord: members)),
                time: time,
                operation: record.operation, actorType: record.actorType, ipAddress: record.ipAddress,
                parameters: record.parameters.values)
            classify(record, into: &event)
            return event
        }

        private static func classify(_ record: AuditRecord, into event: inout SecurityEvent) {
            let operation = record.operation.lowercased()
            // A cmdlet that failed changed nothing: kept, but as a generic event. A failed sign-in
            // is a fact of its own (what a burst is made of).
            if record.resultSucceeded == false && operation != "userloggedin" && operation != "userloginfailed" {
                return
            }
            switch operation {
            case "new-inboxrule", "set-inboxrule", "enable-inboxrule", "disable-inboxrule", "remove-inboxrule":
                InboxRuleCmdlet.apply(record, to: &event)
            case "updateinboxrules":
                OutlookRule.apply(record, to: &event)
            case "set-mailbox":
                MailboxCmdlet.setMailbox(record, to: &event)
            case "add-mailboxpermission", "add-recipientpermission":
                MailboxCmdlet.permission(record, to: &event)
            case "new-transportrule", "set-transportrule", "enable-transportrule", "disable-transportrule",
                "remove-transportrule":
                TransportRuleCmdlet.apply(record, to: &event)
            case "userloggedin", "userloginfailed":
                AuditSignIn.apply(record, to: &event)
            case "timaildata":
                ThreatRecord.mailData(record, to: &event)
            case "alerttriggered":
                ThreatRecord.alert(record, to: &event)
            case "send", "sendas", "sendonbehalf":
                MailItemRecord.sent(record, to: &event)
            case "softdelete", "harddelete", "movetodeleteditems":
                MailItemRecord.deleted(record, to: &event)
            case "mailitemsaccessed":
                MailItemRecord.accessed(record, to: &event)
            default:
                if SecurityInfo.isChange(record) { event.kind = .securityInfoChange }
            }
        }
    }
}
