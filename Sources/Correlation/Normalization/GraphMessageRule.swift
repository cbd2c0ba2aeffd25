extension Normalizer {
    /// Graph `messageRule`: the inbox rules as they are now, whatever client made them. A snapshot,
    /// so its time is when it was collected; the audit record of the same rule has the real time.
    enum GraphMessageRule {
        static func rule(_ resource: GraphNormalization.Resource) -> SecurityEvent {
            let fields = resource.fields
            var event = resource.event(.inboxRule, time: resource.envelope.collectedAt, actorType: .user)
            let change: SecurityEvent.RuleDetail.Change =
                switch resource.envelope.changeKind {
                case .created: .created
                case .updated: .updated
                case .removed: .removed
                }
            // A rule switched off forwards nothing: it reads as disabled, whatever its actions say.
            let disabled = fields.flag("isEnabled") == false
            var rule = SecurityEvent.RuleDetail(change: resource.isRemoved ? .removed : disabled ? .disabled : change)
            if let actions = fields.object("actions") {
                rule.forwardTo = GraphNormalization.addresses(actions["forwardTo"])
                rule.forwardAsAttachmentTo = GraphNormalization.addresses(actions["forwardAsAttachmentTo"])
                rule.redirectTo = GraphNormalization.addresses(actions["redirectTo"])
                rule.deletes = actions.flag("delete") == true || actions.flag("permanentDelete") == true
                // A copy leaves the original where the user sees it: only a move hides.
                rule.moveToFolder = FolderName.normalize(actions.text("moveToFolder"))
                rule.marksAsRead = actions.flag("markAsRead") == true
                rule.stopsProcessing = actions.flag("stopProcessingRules") == true
            }
            if let conditions = fields.object("conditions") {
                var words: [String?] = []
                for name in ["subjectContains", "bodyContains", "bodyOrSubjectContains", "senderContains"] {
                    words += conditions.array(name).compactMap(Fields.text)
                }
                words += GraphNormalization.addresses(conditions["fromAddresses"]).map { Optional($0) }
                rule.keywords = Keywords.parse(words)
            }
            event.rule = rule
            event.ruleId = fields.text("id") ?? resource.envelope.resourceId
            event.ruleName = fields.text("displayName")
            return event
        }
    }
}
