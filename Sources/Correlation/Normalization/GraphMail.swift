import Events
import Foundation

extension Normalizer {
    /// Graph `message`, `threatSubmission` and `userReport`: mail that reached a user, and mail a
    /// user reported.
    enum GraphMail {
        static func message(_ resource: GraphNormalization.Resource) throws(NormalizationError) -> SecurityEvent {
            let fields = resource.fields
            // A removal carries nothing but the id: it happened by the time it was collected.
            if resource.isRemoved {
                var event = resource.event(.generic, time: resource.envelope.collectedAt, actorType: .unknown)
                if let reason = fields.object("@removed")?.text("reason") { event.parameters["removedReason"] = reason }
                event.messageIds = [resource.envelope.resourceId]
                return event
            }
            let time =
                resource.envelope.changeKind == .updated
                ? try resource.requiredTime("lastModifiedDateTime", "receivedDateTime", "createdDateTime")
                : try resource.requiredTime(
                    "receivedDateTime", "createdDateTime", "sentDateTime", "lastModifiedDateTime")
            let verdict = verdict(fields)
            var event = resource.event(
                verdict.map(ThreatRecord.isMalicious) == true ? .phishDelivered : .generic, time: time,
                actorType: .unknown)
            let internetMessageId = fields.text("internetMessageId")
            event.mail = SecurityEvent.MailDetail(
                sender: GraphNormalization.address(fields["from"] ?? fields["sender"]), subject: fields.text("subject"),
                recipients: GraphNormalization.addresses(fields["toRecipients"]), internetMessageId: internetMessageId,
                verdict: verdict, deliveryAction: verdict == nil ? nil : "Delivered")
            event.messageIds = AddressList.unique([internetMessageId, fields.text("id")].compactMap { $0 })
            return event
        }

        /// A verdict the message itself carries: a `verdict` member, or the `CAT:` of Exchange's
        /// `X-Forefront-Antispam-Report` header (`PHSH`, `HPHSH`, `MALW`) when headers were kept.
        /// The mail collector's default `$select` has neither, so most messages are `.generic`.
        static func verdict(_ fields: Fields) -> String? {
            if let verdict = fields.text("verdict", "threatVerdict") { return verdict }
            for header in fields.array("internetMessageHeaders").compactMap(Fields.init)
            where header.text("name")?.lowercased() == "x-forefront-antispam-report" {
                let value = header.text("value")?.uppercased() ?? ""
                for part in value.split(separator: ";") {
                    let pair = part.trimmed()
                    guard pair.hasPrefix("CAT:") else { continue }
                    switch pair.dropFirst(4) {
                    case "PHSH", "HPHSH", "SPOOF": return "Phish"
                    case "MALW": return "Malware"
                    default: return nil
                    }
                }
            }
            return nil
        }

        static func threatSubmission(_ resource: GraphNormalization.Resource) throws(NormalizationError)
            -> SecurityEvent
        {
            let fields = resource.fields
            let time = try resource.requiredTime("createdDateTime")
            var event = resource.event(.phishReported, time: time, actorType: .user)
            let reporter = fields.object("createdBy")?.object("user")?.text("email", "userPrincipalName")
                .flatMap(AddressList.address)
            let recipient = fields.text("recipientEmailAddress").flatMap(AddressList.address)
            let internetMessageId = fields.text("internetMessageId")
            event.mail = SecurityEvent.MailDetail(
                sender: fields.text("sender").flatMap(AddressList.address), subject: fields.text("subject"),
                recipients: recipient.map { [$0] } ?? [], internetMessageId: internetMessageId,
                verdict: fields.text("category"), reporter: reporter)
            event.messageIds = internetMessageId.map { [$0] } ?? []
            return event
        }

        /// A report read from the phishing-report mailbox (built by the collector from the attached original).
        static func userReport(_ resource: GraphNormalization.Resource) throws(NormalizationError) -> SecurityEvent {
            let fields = resource.fields
            let time = try resource.requiredTime("reportedAt")
            let reporter = fields.text("reporter").flatMap(AddressList.address)
            var event = resource.event(.phishReported, time: time, actorType: .user, user: reporter)
            let original = fields.object("reportedMessage")
            let internetMessageId = original?.text("internetMessageId")
            event.mail = SecurityEvent.MailDetail(
                sender: original?.text("sender").flatMap(AddressList.address), subject: original?.text("subject"),
                recipients: reporter.map { [$0] } ?? [], internetMessageId: internetMessageId, reporter: reporter)
            event.messageIds = internetMessageId.map { [$0] } ?? []
            return event
        }
    }
}
