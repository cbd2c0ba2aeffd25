extension Normalizer {
    /// `New-InboxRule`, `Set-InboxRule`, `Enable-`, `Disable-`, `Remove-InboxRule` (PowerShell,
    /// Outlook on the web): the rule is in the cmdlet's parameters.
    enum InboxRuleCmdlet {
        static func apply(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .inboxRule
            var rule = SecurityEvent.RuleDetail(change: change(ofCmdlet: record.operation))
            rule.forwardTo = AddressList.parse(record.parameter("ForwardTo"))
            rule.forwardAsAttachmentTo = AddressList.parse(record.parameter("ForwardAsAttachmentTo"))
            rule.redirectTo = AddressList.parse(record.parameter("RedirectTo"))
            rule.deletes = record.flag("DeleteMessage", "PermanentDelete", "SoftDeleteMessage")
            rule.moveToFolder = FolderName.normalize(record.parameter("MoveToFolder"))
            rule.marksAsRead = record.flag("MarkAsRead")
            rule.stopsProcessing = record.flag("StopProcessingRules")
            rule.keywords = Keywords.parse(
                [
                    "SubjectContainsWords", "BodyContainsWords", "SubjectOrBodyContainsWords", "From",
                    "FromAddressContainsWords", "SenderAddressContainsWords", "HeaderContainsWords",
                ].map { record.parameter($0) })
            event.rule = rule
            let identity = record.parameter("Identity").flatMap { $0.isEmpty ? nil : $0 }
            event.ruleId = identity ?? record.parameter("RuleIdentity", "RuleId").flatMap { $0.isEmpty ? nil : $0 }
            event.ruleName = record.parameter("Name").flatMap { $0.isEmpty ? nil : $0 } ?? identity.map(lastPart)
        }

        /// The verb says what happened to the rule (`Set-` is a change, `Remove-` a removal).
        static func change(ofCmdlet cmdlet: String) -> SecurityEvent.RuleDetail.Change {
            switch cmdlet.lowercased().prefix(while: { $0 != "-" }) {
            case "new": .created
            case "enable": .enabled
            case "disable": .disabled
            case "remove": .removed
            default: .updated
            }
        }

        /// `alice@contoso.com\Move to RSS` → `Move to RSS`: an identity names its rule last.
        static func lastPart(_ identity: String) -> String {
            String(identity.split(separator: "\\").last ?? Substring(identity))
        }
    }
}
