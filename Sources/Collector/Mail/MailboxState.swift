import Events
import Foundation

/// What the collector keeps about one in-scope mailbox between cycles: its inbox delta, the
/// fingerprints of its rules and settings, and the change ids it published recently.
struct MailboxState: Sendable {
    /// Lower-cased user principal name.
    let mailbox: String
    var messages: MessageDeltaState
    var rules: SnapshotState
    var settings: SnapshotState
    var dedupe: RecordDeduplicator
    /// The mailbox answered 404 (no Exchange Online mailbox) and that was logged once.
    var missingLogged = false

    /// Checkpoint sources of one mailbox.
    enum Source {
        static func messages(_ mailbox: String) -> String { "mail/messages/\(mailbox.keyNormalized)" }
        static func rules(_ mailbox: String) -> String { "mail/messageRules/\(mailbox.keyNormalized)" }
        static func settings(_ mailbox: String) -> String { "mail/mailboxSettings/\(mailbox.keyNormalized)" }
        static func all(_ mailbox: String) -> [String] { [messages(mailbox), rules(mailbox), settings(mailbox)] }
    }

    /// Restores the mailbox from its checkpoints and from the ids read back from the raw topic.
    init(
        mailbox: String, tenantId: String, policy: MailCollectionPolicy, checkpoints: CollectorLease.Checkpoints,
        dedupe: RecordDeduplicator
    ) {
        self.mailbox = mailbox.keyNormalized
        messages = MessageDeltaState(
            tenantId: tenantId, source: Source.messages(mailbox), policy: policy,
            checkpoint: checkpoints[Source.messages(mailbox)])
        rules = SnapshotState(fingerprints: checkpoints[Source.rules(mailbox)]?.fingerprints)
        settings = SnapshotState(fingerprints: checkpoints[Source.settings(mailbox)]?.fingerprints)
        self.dedupe = dedupe
    }
}
