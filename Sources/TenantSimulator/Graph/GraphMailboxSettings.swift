import Foundation

/// Inbox rules (`mailFolders/inbox/messageRules`) and `mailboxSettings`.
extension GraphAPI {
    /// The rules of `owner`'s inbox at `now`: created by then, not removed by then.
    func visibleRules(_ owner: SimulatedUser, _ state: TenantState, now: Date) -> [InboxRule] {
        (rulesByMailbox[owner.id] ?? []).filter { rule in
            guard rule.createdAt <= now else { return false }
            guard let removed = state.removedRules[rule.id] else { return true }
            return removed > now
        }
    }

    /// Rules live on the inbox only.
    private func requireInbox(_ call: GraphCall, owner: SimulatedUser) throws(GraphFailure) {
        guard let folder = Self.folderName(call.parameters["folder"] ?? "", owner: owner) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        guard folder == "inbox" else {
            throw GraphFailure(GraphError.invalidRequest("Message rules are only supported on the Inbox folder."))
        }
    }

    private func rulesContext(_ call: GraphCall, owner: SimulatedUser) -> String {
        "users('\(call.parameters["user"] ?? owner.id)')/mailFolders('inbox')/messageRules"
    }

    func listRules(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readMailboxSettings)
        let owner = try mailboxUser(call)
        try requireInbox(call, owner: owner)
        let values = visibleRules(owner, state, now: call.now).map { call.project(renderRule($0)) }
        return collection(call, context: rulesContext(call, owner: owner), values, nextLink: nil)
    }

    func getRule(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readMailboxSettings)
        let owner = try mailboxUser(call)
        try requireInbox(call, owner: owner)
        let id = call.parameters["rule"] ?? ""
        guard let rule = visibleRules(owner, state, now: call.now).first(where: { $0.id == id }) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        return entity(call, context: rulesContext(call, owner: owner) + "/$entity", call.project(renderRule(rule)))
    }

    /// `DELETE users/{id}/mailFolders/inbox/messageRules/{ruleId}` → 204; 404 when already gone.
    func deleteRule(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        let id = call.parameters["rule"] ?? ""
        return recordingWrite(.deleteRule, call, &state) { state throws(GraphFailure) in
            try call.require(.writeMailboxSettings)
            let owner = try mailboxUser(call)
            try requireInbox(call, owner: owner)
            guard visibleRules(owner, state, now: call.now).contains(where: { $0.id == id }) else {
                throw GraphFailure(GraphError.itemNotFound)
            }
            state.removedRules[id] = call.now
            return .noContent()
        }
    }

    func renderRule(_ rule: InboxRule) -> OrderedJSON {
        var conditions: [OrderedJSON.Member] = []
        let predicates = rule.conditions
        if !predicates.subjectContains.isEmpty {
            conditions.append(.init("subjectContains", .strings(predicates.subjectContains)))
        }
        if !predicates.bodyOrSubjectContains.isEmpty {
            conditions.append(.init("bodyOrSubjectContains", .strings(predicates.bodyOrSubjectContains)))
        }
        if !predicates.senderContains.isEmpty {
            conditions.append(.init("senderContains", .strings(predicates.senderContains)))
        }
        if !predicates.fromAddresses.isEmpty {
            conditions.append(.init("fromAddresses", .array(predicates.fromAddresses.map(ruleRecipient))))
        }
        var actions: [OrderedJSON.Member] = []
        let ruleActions = rule.actions
        if let folder = ruleActions.moveToFolder {
            actions.append(
                .init("moveToFolder", .string(Self.folderId(rule.mailboxUserId, Self.normalizedFolder(folder)))))
        }
        for (name, addresses) in [
            ("forwardTo", ruleActions.forwardTo), ("forwardAsAttachmentTo", ruleActions.forwardAsAttachmentTo),
            ("redirectTo", ruleActions.redirectTo),
        ] where !addresses.isEmpty {
            actions.append(.init(name, .array(addresses.map(ruleRecipient))))
        }
        for (name, flag) in [
            ("delete", ruleActions.delete), ("permanentDelete", ruleActions.permanentDelete),
            ("markAsRead", ruleActions.markAsRead), ("stopProcessingRules", ruleActions.stopProcessingRules),
        ] where flag {
            actions.append(.init(name, .bool(true)))
        }
        return .object([
            "id": .string(rule.id),
            "displayName": .string(rule.displayName),
            "sequence": .int(rule.sequence),
            "isEnabled": .bool(rule.isEnabled),
            "hasError": .bool(false),
            "isReadOnly": .bool(false),
            "conditions": .object(conditions),
            "actions": .object(actions),
        ])
    }

    /// `{emailAddress:{name,address}}`; the name of a colleague, else the address itself.
    private func ruleRecipient(_ address: String) -> OrderedJSON {
        let name = userIndexByName[address.lowercased()].map { users[$0].displayName } ?? address
        return Self.recipient(Recipient(name: name, address: address))
    }

    // MARK: Mailbox settings

    /// `GET users/{id}/mailboxSettings`. Graph has no forwarding property here:
    /// forwarding set with `Set-Mailbox` is only seen in the audit log.
    func mailboxSettings(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readMailboxSettings)
        let owner = try mailboxUser(call)
        let locale = Self.locale(of: owner)
        let timeZone = OrderedJSON.string(locale.timeZone)
        let settings: OrderedJSON = .object([
            "archiveFolder": .string(Self.folderId(owner.id, "archive")),
            "timeZone": timeZone,
            "automaticRepliesSetting": .object([
                "status": .string("disabled"),
                "externalAudience": .string("all"),
                "internalReplyMessage": .string(""),
                "externalReplyMessage": .string(""),
                "scheduledStartDateTime": .object([
                    "dateTime": .string(SimTime.auditTime(world.timeline.start) + ".0000000"),
                    "timeZone": .string("UTC"),
                ]),
                "scheduledEndDateTime": .object([
                    "dateTime": .string(
                        SimTime.auditTime(world.timeline.start.addingTimeInterval(86_400)) + ".0000000"),
                    "timeZone": .string("UTC"),
                ]),
            ]),
            "dateFormat": .string(locale.tag == "en-US" ? "M/d/yyyy" : "dd/MM/yyyy"),
            "timeFormat": .string(locale.tag == "en-US" ? "h:mm tt" : "HH:mm"),
            "delegateMeetingMessageDeliveryOptions": .string("sendToDelegateOnly"),
            "userPurpose": .string("user"),
            "language": .object(["locale": .string(locale.tag), "displayName": .string(locale.language)]),
            "workingHours": .object([
                "daysOfWeek": .strings(["monday", "tuesday", "wednesday", "thursday", "friday"]),
                "startTime": .string("08:00:00.0000000"),
                "endTime": .string("17:00:00.0000000"),
                "timeZone": .object(["name": timeZone]),
            ]),
        ])
        return entity(
            call, context: "users('\(call.parameters["user"] ?? owner.id)')/mailboxSettings", call.project(settings))
    }
}
