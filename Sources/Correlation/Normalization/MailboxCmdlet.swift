extension Normalizer {
    /// `Set-Mailbox` forwarding and delegation, `Add-MailboxPermission`, `Add-RecipientPermission`:
    /// mailbox-level settings that Graph cannot see, only the audit log.
    enum MailboxCmdlet {
        static func setMailbox(_ record: AuditRecord, to event: inout SecurityEvent) {
            let forwardingNames = ["ForwardingSmtpAddress", "ForwardingAddress", "DeliverToMailboxAndForward"]
            if forwardingNames.contains(where: record.parameters.contains) {
                forwarding(record, to: &event)
            } else if let grantees = record.parameter("GrantSendOnBehalfTo") {
                event.kind = .mailboxDelegation
                event.delegation = SecurityEvent.DelegationDetail(
                    rights: ["SendOnBehalf"], mailbox: mailbox(record),
                    grantee: AddressList.parse(grantees).first)
            }
        }

        /// Empty or `$null` forwarding addresses clear the forwarding: a removal, not a new destination.
        private static func forwarding(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .mailboxForwarding
            let smtp = record.parameter("ForwardingSmtpAddress")
            let recipient = record.parameter("ForwardingAddress")
            let destinations = AddressList.parse([smtp, recipient])
            let cleared = destinations.isEmpty && (smtp != nil || recipient != nil)
            let keepsCopy = record.parameter("DeliverToMailboxAndForward").flatMap(Fields.flag)
            event.rule = SecurityEvent.RuleDetail(
                change: cleared ? .removed : .updated, forwardTo: destinations, keepsCopy: keepsCopy)
        }

        static func permission(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .mailboxDelegation
            let sendAs = record.operation.lowercased() == "add-recipientpermission"
            var rights = Keywords.parse([record.parameter("AccessRights", "ExtendedRights")]).map(rightName)
            if rights.isEmpty { rights = [sendAs ? "SendAs" : "FullAccess"] }
            let grantee = record.parameter(sendAs ? "Trustee" : "User", "Trustee", "User")
            event.delegation = SecurityEvent.DelegationDetail(
                rights: AddressList.unique(rights), mailbox: mailbox(record),
                grantee: AddressList.parse(grantee).first)
        }

        private static func mailbox(_ record: AuditRecord) -> String? {
            AddressList.parse(record.parameter("Identity", "Mailbox") ?? record.fields.text("ObjectId")).first
        }

        /// Rights in their documented spelling, so `fullaccess` and `FullAccess` are one right.
        private static func rightName(_ lowered: String) -> String {
            switch lowered {
            case "fullaccess": "FullAccess"
            case "sendas", "send-as": "SendAs"
            case "sendonbehalf", "sendonbehalfof": "SendOnBehalf"
            case "readpermission": "ReadPermission"
            case "changepermission": "ChangePermission"
            case "changeowner": "ChangeOwner"
            case "deleteitem": "DeleteItem"
            case "externalaccount": "ExternalAccount"
            default: lowered
            }
        }
    }

    /// `New-TransportRule` / `Set-TransportRule` (and enable, disable, remove): organisation-wide
    /// rules that can copy or redirect every message of the tenant.
    enum TransportRuleCmdlet {
        static func apply(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .transportRule
            var rule = SecurityEvent.RuleDetail(change: InboxRuleCmdlet.change(ofCmdlet: record.operation))
            rule.redirectTo = AddressList.parse(record.parameter("RedirectMessageTo"))
            rule.blindCopyTo = AddressList.parse(record.parameter("BlindCopyTo"))
            rule.forwardTo = AddressList.parse([record.parameter("CopyTo"), record.parameter("AddToRecipients")])
            rule.deletes = record.flag("DeleteMessage")
            rule.stopsProcessing = record.flag("StopRuleProcessing")
            rule.keywords = Keywords.parse(
                [
                    "SubjectContainsWords", "SubjectOrBodyContainsWords", "FromAddressContainsWords",
                    "SenderDomainIs", "From", "HeaderContainsWords",
                ].map { record.parameter($0) })
            event.rule = rule
            let identity = record.parameter("Identity").flatMap { $0.isEmpty ? nil : $0 }
            event.ruleId = identity
            event.ruleName = record.parameter("Name").flatMap { $0.isEmpty ? nil : $0 } ?? identity
        }
    }
}
