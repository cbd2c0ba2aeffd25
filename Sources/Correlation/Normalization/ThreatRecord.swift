import Events
import Foundation

extension Normalizer {
    /// Defender for Office 365 in the audit log: `TIMailData` (ThreatIntelligence) and
    /// Security & Compliance alerts (`AlertTriggered`, RecordType 40).
    ///
    /// Both are written by Microsoft's own processes (`UserType` 4), so the collector keys them
    /// by that actor; the users they are about are in the details (recipients, reporter).
    enum ThreatRecord {
        static func mailData(_ record: AuditRecord, to event: inout SecurityEvent) {
            let fields = record.fields
            let verdict = fields.text("Verdict")
            let delivery = fields.text("DeliveryAction")
            let recipients = recipientList(fields["Recipients"])
            event.mail = SecurityEvent.MailDetail(
                sender: fields.text("P1Sender", "P2Sender", "SenderAddress").flatMap(AddressList.address),
                subject: fields.text("Subject"), recipients: recipients,
                internetMessageId: fields.text("InternetMessageId"), verdict: verdict, deliveryAction: delivery)
            event.messageIds = AddressList.unique(
                [fields.text("InternetMessageId"), fields.text("NetworkMessageId")].compactMap { $0 })
            if let senderIP = fields.text("SenderIp") { event.parameters["SenderIp"] = senderIP }
            let direction = fields.text("Directionality")?.lowercased()
            if direction == "outbound" || direction == "intraorg" {
                // Mail the account sent, as Defender judged it: keyed by the sender (RecordKey).
                event.kind = .mailSent
            } else if isMalicious(verdict), delivery?.lowercased() == "delivered" {
                event.kind = .phishDelivered
            }
        }

        /// `Phish`, `High confidence phish`, `Malware`; spam is not a compromise lure.
        static func isMalicious(_ verdict: String?) -> Bool {
            let verdict = verdict?.lowercased() ?? ""
            return verdict.contains("phish") || verdict.contains("malware")
        }

        private static func recipientList(_ value: JSONValue?) -> [String] {
            switch value {
            case .array(let items)?: AddressList.parse(items.compactMap(Fields.text))
            case let value?: AddressList.parse(Fields.text(value))
            case nil: []
            }
        }

        /// "Email reported by user as malware or phish" is a report; every other alert is an alert.
        static func alert(_ record: AuditRecord, to event: inout SecurityEvent) {
            let fields = record.fields
            let name = fields.text("Name", "AlertName") ?? ""
            let data = alertData(fields["Data"])
            for (key, value) in data.members.sorted(by: { $0.key < $1.key }) where event.parameters[key] == nil {
                if let text = Fields.text(value) { event.parameters[key] = text }
            }
            let lowered = name.lowercased()
            if lowered.contains("reported"), lowered.contains("phish") || lowered.contains("malware") {
                event.kind = .phishReported
                let reporter = (data.text("f3u", "eid") ?? fields.text("AlertEntityId")).flatMap(AddressList.address)
                event.mail = SecurityEvent.MailDetail(
                    sender: data.text("tsd", "sender").flatMap(AddressList.address),
                    subject: data.text("ms", "subject"),
                    recipients: reporter.map { [$0] } ?? [], internetMessageId: data.text("mid"), reporter: reporter)
                event.messageIds = data.text("mid").map { [$0] } ?? []
            } else if !lowered.contains("reported by user") {
                event.kind = .defenderAlert
                event.alert = SecurityEvent.AlertDetail(
                    alertId: fields.text("AlertId", "ObjectId", "Id") ?? event.id, title: name,
                    severity: fields.text("Severity")?.lowercased() ?? "unknown",
                    detectionSource: fields.text("Source"), category: fields.text("Category"))
                event.messageIds = data.text("mid").map { [$0] } ?? []
            }
        }

        /// `Data` is a JSON object written into a string.
        private static func alertData(_ value: JSONValue?) -> Fields {
            if let object = Fields(value) { return object }
            guard let text = value?.stringValue,
                let decoded = try? BoundedJSONDecoder().decode(JSONValue.self, from: Array(text.utf8)),
                let object = Fields(decoded)
            else { return Fields([:]) }
            return object
        }
    }
}
