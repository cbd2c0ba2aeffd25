public import Foundation

/// Reads the mail collector needs beyond the typed reads of ``GraphClient``: time-filtered
/// collections and delta rounds walked page by page, and the attachments of a reported message.
extension GraphClient {
    /// The first URL of a delta round over one folder of `mailbox`. `receivedSince` is the
    /// only filter Outlook delta takes (`receivedDateTime ge …`); the delta link carries it on,
    /// so a first sync does not walk years of mail. Walk it with ``pages(startingAt:headers:)``.
    public func messagesDeltaURL(
        mailbox: String, folder: String = "inbox", receivedSince: Date? = nil, select: [String]? = nil
    ) -> String {
        var query: [(String, String)] = []
        if let receivedSince { query.append(("$filter", "receivedDateTime ge \(M365Time.odataTime(receivedSince))")) }
        if let select { query.append(("$select", select.joined(separator: ","))) }
        return url(
            "users/\(URLPath.segment(mailbox))/mailFolders/\(URLPath.segment(folder))/messages/delta", query: query)
    }

    /// The pages of the collection at `path` holding the items whose `timeProperty` is at or
    /// after `since`, to walk (and publish) page by page: a 30-day backfill of sign-ins need
    /// not fit in memory.
    public func pages(_ path: String, since: Date, timeProperty: String, version: GraphVersion = .v1) -> GraphPages {
        pages(path, query: [("$filter", "\(timeProperty) ge \(M365Time.odataTime(since))")], version: version)
    }

    /// The attachments of one message of `mailbox`, attached Outlook items expanded
    /// (`$expand=microsoft.graph.itemattachment/item`) so the attached message can be read
    /// without a second request. File attachments carry their `contentBytes` (base64).
    public func messageAttachments(mailbox: String, messageId: String) async throws(GraphError) -> [GraphItem] {
        try await list(
            "users/\(URLPath.segment(mailbox))/messages/\(URLPath.segment(messageId))/attachments",
            query: [("$expand", "microsoft.graph.itemattachment/item")])
    }
}
