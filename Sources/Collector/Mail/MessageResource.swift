import Events

/// Which properties of a message the collector publishes.
///
/// Everything the detections use (sender, recipients, subject, preview, folder, read state,
/// times, ids), but not the body: bodies can exceed Kafka's message size and are mail content
/// nobody downstream needs (`bodyPreview` stays). The same properties are asked for (`$select`)
/// and kept client-side, so the published content, and with it the `ce_id`, does not depend on
/// whether a server carries `$select` into its next and delta links.
enum MessageResource {
    static let properties = [
        "id", "createdDateTime", "lastModifiedDateTime", "receivedDateTime", "sentDateTime", "hasAttachments",
        "internetMessageId", "subject", "bodyPreview", "importance", "parentFolderId", "conversationId", "isRead",
        "isDraft", "inferenceClassification", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients",
        "replyTo", "flag", "categories",
    ]
    private static let kept = Set(properties)

    /// The message with only ``properties``.
    static func published(_ message: JSONValue) -> JSONValue {
        guard case .object(let members) = message else { return message }
        return .object(members.filter { kept.contains($0.key) })
    }
}
