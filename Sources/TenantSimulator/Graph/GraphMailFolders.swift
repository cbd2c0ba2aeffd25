import Foundation

/// `GET users/{id}/mailFolders/{id or well-known name}`: a folder's id (what a message's
/// `parentFolderId` holds), name and counts, so a client can tell where a moved message is.
extension GraphAPI {
    static let folderDisplayNames: [String: String] = [
        "inbox": "Inbox", "junkemail": "Junk Email", "deleteditems": "Deleted Items", "sentitems": "Sent Items",
        "archive": "Archive", "drafts": "Drafts", "outbox": "Outbox", "conversationhistory": "Conversation History",
        "clutter": "Clutter", "msgfolderroot": "Top of Information Store", "recoverableitemsdeletions": "Deletions",
        "scheduled": "Scheduled", "searchfolders": "Finder", "syncissues": "Sync Issues", "rssfeeds": "RSS Feeds",
    ]

    func getMailFolder(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readMail)
        let owner = try mailboxUser(call)
        guard let folder = Self.folderName(call.parameters["folder"] ?? "", owner: owner) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        var total = 0
        var unread = 0
        for index in messagesByMailbox[owner.id] ?? [] {
            guard let placement = placement(messages[index], state, at: call.now), placement.folder == folder else {
                continue
            }
            total += 1
            if !messages[index].isRead { unread += 1 }
        }
        let parent = folder == "msgfolderroot" ? "root" : "msgfolderroot"
        let userSegment = call.parameters["user"] ?? owner.id
        return entity(
            call, context: "users('\(userSegment)')/mailFolders/$entity",
            call.project(
                .object([
                    "id": .string(Self.folderId(owner.id, folder)),
                    "displayName": .string(Self.folderDisplayNames[folder] ?? folder),
                    "parentFolderId": .string(Self.folderId(owner.id, parent)),
                    "childFolderCount": .int(0),
                    "unreadItemCount": .int(unread),
                    "totalItemCount": .int(total),
                    "isHidden": .bool(false),
                ])))
    }
}
