/// Whether an event is phishing that reached the user or left from the account, and in what
/// words: the second half of "login then phish".
enum PhishingActivity {
    static func describe(_ event: SecurityEvent, context: TenantContext, configuration: DetectionConfiguration)
        -> String?
    {
        switch event.kind {
        case .phishDelivered:
            let subject = event.mail?.subject.map { " \"\($0)\"" } ?? ""
            let sender = event.mail?.sender.map { " from \($0)" } ?? ""
            return "phishing mail\(subject)\(sender) delivered"
        case .phishReported:
            let subject = event.mail?.subject.map { " \"\($0)\"" } ?? ""
            return "reported a phishing mail\(subject)"
        case .defenderAlert:
            return event.alert.map { "Defender alert: \($0.title)" } ?? "Defender alert"
        case .mailSent:
            // Colleagues count too: a compromised account phishes its own organisation first.
            // Allowlisted partners do not (a mailing to them is business as usual).
            let recipients = (event.mail?.recipients ?? []).filter { !configuration.isAllowedExternal($0) }
            let external = recipients.filter { !context.isInternal($0, user: event.user) }.count
            let subject = event.mail?.subject.map { " \"\($0)\"" } ?? ""
            if Normalizer.ThreatRecord.isMalicious(event.mail?.verdict) {
                let verdict = event.mail?.verdict ?? "Phish"
                return "sent mail\(subject) that Defender judged \(verdict) to \(recipients.count) recipients"
                    + " (\(external) outside the tenant)"
            }
            guard recipients.count >= configuration.massMailRecipients else { return nil }
            return "sent mail\(subject) to \(recipients.count) recipients (\(external) outside the tenant)"
        default:
            return nil
        }
    }
}
