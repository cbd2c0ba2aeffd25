import Events

extension Normalizer {
    /// Mailbox item records (`Send`, `SoftDelete`, `HardDelete`, `MoveToDeletedItems`,
    /// `MailItemsAccessed`): which messages, by internet message id where the record names it.
    enum MailItemRecord {
        static func sent(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .mailSent
            let item = record.fields.object("Item")
            var recipients: [String] = []
            for source in [item, record.fields] {
                for name in ["Recipients", "To", "ToRecipients"] {
                    if let value = source?[name] { recipients += AddressList.parse(Fields.text(value)) }
                }
            }
            let messageId = item?.text("InternetMessageId")
            event.mail = SecurityEvent.MailDetail(
                sender: record.fields.text("MailboxOwnerUPN", "UserId").flatMap(AddressList.address),
                subject: item?.text("Subject"), recipients: AddressList.unique(recipients),
                internetMessageId: messageId)
            event.messageIds = messageId.map { [$0] } ?? []
        }

        static func deleted(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .mailDeleted
            let items = record.fields.array("AffectedItems").compactMap(Fields.init)
            event.messageIds = AddressList.unique(items.compactMap { $0.text("InternetMessageId", "Id") })
            let count =
                items.isEmpty ? record.fields.int("OperationCount") ?? record.fields.int("ItemCount") : items.count
            event.parameters["count"] = String(count ?? 0)
            if let folder = record.fields.object("Folder")?.text("Path") { event.parameters["folder"] = folder }
            if items.count == 1, let subject = items.first?.text("Subject") {
                event.mail = SecurityEvent.MailDetail(
                    subject: subject, internetMessageId: items.first?.text("InternetMessageId"))
            }
        }

        /// Read by no detection yet, but the messages are named so a later one can.
        static func accessed(_ record: AuditRecord, to event: inout SecurityEvent) {
            let folders = record.fields.array("Folders").compactMap(Fields.init)
            let items = folders.flatMap { $0.array("FolderItems").compactMap(Fields.init) }
            event.messageIds = AddressList.unique(items.compactMap { $0.text("InternetMessageId") })
        }
    }
}
