extension Normalizer {
    /// Graph `security/alerts_v2`: Defender's alerts, in Microsoft's words.
    enum GraphAlert {
        static func alert(_ resource: GraphNormalization.Resource) throws(NormalizationError) -> SecurityEvent {
            let fields = resource.fields
            // A changed alert is a new fact at the time it changed.
            let time =
                resource.envelope.changeKind == .updated
                ? try resource.requiredTime("lastUpdateDateTime", "createdDateTime")
                : try resource.requiredTime("createdDateTime", "lastUpdateDateTime")
            var event = resource.event(.defenderAlert, time: time, actorType: .system)
            event.alert = SecurityEvent.AlertDetail(
                alertId: fields.text("id") ?? resource.envelope.resourceId, title: fields.text("title") ?? "",
                severity: fields.text("severity")?.lowercased() ?? "unknown",
                detectionSource: fields.text("detectionSource"), category: fields.text("category"))
            let evidence = fields.array("evidence").compactMap(Fields.init)
            var messageIds: [String] = []
            for item in evidence where item.text("@odata.type")?.hasSuffix("analyzedMessageEvidence") == true {
                messageIds += [item.text("internetMessageId"), item.text("networkMessageId")].compactMap { $0 }
                if event.mail == nil {
                    let sender = item.object("p1Sender")?.text("emailAddress").flatMap(AddressList.address)
                    let recipient = item.text("recipientEmailAddress").flatMap(AddressList.address)
                    event.mail = SecurityEvent.MailDetail(
                        sender: sender, subject: item.text("subject"), recipients: recipient.map { [$0] } ?? [],
                        internetMessageId: item.text("internetMessageId"), verdict: item.text("verdict"),
                        deliveryAction: item.text("deliveryAction"))
                }
            }
            event.messageIds = AddressList.unique(messageIds)
            // As in the audit log: the alert that says a user reported a mail is the user's report.
            let title = fields.text("title")?.lowercased() ?? ""
            if title.contains("reported"), title.contains("phish") || title.contains("malware") {
                event.kind = .phishReported
                event.alert = nil
                var mail = event.mail ?? SecurityEvent.MailDetail()
                mail.reporter = event.user.hasPrefix("~") ? nil : event.user
                event.mail = mail
            } else if title.contains("reported by user") {
                // "…reported by user as not junk": the user's opinion of clean mail, not an alert.
                event.kind = .generic
                event.alert = nil
            }
            return event
        }
    }

    /// Reference data with no time of its own: directory users and the tenant's accepted domains.
    enum GraphDirectory {
        static func user(_ resource: GraphNormalization.Resource) -> SecurityEvent {
            let fields = resource.fields
            var event = resource.event(
                .userProfile, time: resource.envelope.collectedAt, actorType: .unknown,
                user: fields.text("userPrincipalName", "id"))
            let manager = fields.object("manager")
            event.profile = SecurityEvent.ProfileDetail(
                displayName: fields.text("displayName"), department: fields.text("department"),
                jobTitle: fields.text("jobTitle"),
                manager: manager?.text("userPrincipalName", "mail", "displayName", "id")?.lowercased())
            return event
        }

        static func domains(_ resource: GraphNormalization.Resource) -> SecurityEvent {
            var event = resource.event(.acceptedDomains, time: resource.envelope.collectedAt, actorType: .unknown)
            event.domains = AddressList.unique(
                resource.fields.array("value").compactMap { domain in
                    (Fields(domain)?.text("id", "name") ?? domain.stringValue)?.lowercased()
                })
            return event
        }
    }
}
