import Foundation

/// A message's attachments: `GET users/{id}/messages/{id}/attachments[/{id}[/$value]]`
/// (also under `mailFolders/{id}`), with `$expand=microsoft.graph.itemattachment/item` to
/// read the attached message itself. `Mail.Read`, like the message.
extension GraphAPI {
    func listAttachments(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        let (message, path) = try attachmentOwner(call, state)
        let expansion = try itemExpansion(call)
        let values = message.attachments.map { renderAttachment($0, call, expansion: expansion) }
        return collection(call, context: path + "/attachments", values, nextLink: nil)
    }

    func getAttachment(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        let (message, path) = try attachmentOwner(call, state)
        let expansion = try itemExpansion(call)
        let attachment = try namedAttachment(call, of: message)
        var rendered = renderAttachment(attachment, call, expansion: expansion)
        if expansion != nil, case .object(var members) = rendered,
            let position = members.firstIndex(where: { $0.key == "item" })
        {
            let itemContext = context(
                call,
                path + "/attachments('\(attachment.id)')/microsoft.graph.itemAttachment/item/$entity")
            members.insert(.init("item@odata.context", itemContext), at: position)
            rendered = .object(members)
        }
        return entity(call, context: path + "/attachments/$entity", rendered)
    }

    /// `…/attachments/{id}/$value`: the attached message in MIME form.
    func getAttachmentContent(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        let (message, _) = try attachmentOwner(call, state)
        let attachment = try namedAttachment(call, of: message)
        return SimResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Data(attachment.mime.utf8))
    }

    /// The message of the path as its owner has it now, and the `@odata.context` path of it.
    private func attachmentOwner(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> (
        message: MailMessage, path: String
    ) {
        try call.require(.readMail)
        let owner = try mailboxUser(call)
        let messageId = call.parameters["message"] ?? ""
        guard let located = locateMessage(messageId, owner: owner, state, now: call.now) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        let userSegment = call.parameters["user"] ?? owner.id
        return (messages[located.index], "users('\(userSegment)')/messages('\(messageId)')")
    }

    private func namedAttachment(_ call: GraphCall, of message: MailMessage) throws(GraphFailure) -> MailAttachment {
        let id = call.parameters["attachment"] ?? ""
        guard let attachment = message.attachments.first(where: { $0.id == id }) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        return attachment
    }

    /// `$expand=microsoft.graph.itemattachment/item` (any case, optionally with `($select=…)`):
    /// the attached item's properties to keep (`nil`: all), or `nil` when not expanded.
    private func itemExpansion(_ call: GraphCall) throws(GraphFailure) -> ItemExpansion? {
        var found: ItemExpansion?
        for expansion in try call.expansions() {
            let path = expansion.path.lowercased()
            guard path == "microsoft.graph.itemattachment/item" else {
                let name = path.split(separator: "/").last.map(String.init) ?? path
                throw Expansion.unknownProperty(name, on: "attachment")
            }
            found = ItemExpansion(select: expansion.select)
        }
        return found
    }

    struct ItemExpansion {
        var select: Set<String>?
    }

    /// An `itemAttachment`: `contentType` is null, as Graph answers for items; the item
    /// itself only when expanded (it is there whatever `$select` says).
    func renderAttachment(_ attachment: MailAttachment, _ call: GraphCall, expansion: ItemExpansion?) -> OrderedJSON {
        let base = call.project(
            .object([
                "@odata.type": .string("#microsoft.graph.itemAttachment"),
                "id": .string(attachment.id),
                "lastModifiedDateTime": .string(SimTime.graphTime(attachment.lastModifiedDateTime)),
                "name": .string(attachment.name),
                "contentType": .null,
                "size": .int(attachment.size),
                "isInline": .bool(false),
            ]))
        guard let expansion, case .object(var members) = base else { return base }
        members.append(.init("item", GraphCall.project(renderAttachedItem(attachment), select: expansion.select)))
        return .object(members)
    }

    /// The attached message as Graph expands it: a `message` without an id of its own
    /// (Graph answers `""`) or a folder, with its `internetMessageHeaders`.
    func renderAttachedItem(_ attachment: MailAttachment) -> OrderedJSON {
        let item = attachment.item
        guard
            case .object(let members) = renderMessage(
                item, Placement(id: "", folder: item.folder, since: attachment.lastModifiedDateTime))
        else { return .null }
        let dropped: Set<String> = ["parentFolderId", "inferenceClassification", "categories", "flag"]
        var out = [OrderedJSON.Member("@odata.type", .string("#microsoft.graph.message"))]
        out += members.filter { !dropped.contains($0.key) }
        out.append(
            .init(
                "internetMessageHeaders",
                .array(
                    attachment.itemHeaders.map {
                        .object(["name": .string($0.name), "value": .string($0.value)])
                    })))
        return .object(out)
    }
}
