/// Every scenario the simulator can play, by name.
///
/// Criticality rules the ground truth follows (the detections implement the same):
/// - `externalForwarding`: **medium** when the mailbox keeps a copy; **high** when it
///   does not — `DeliverToMailboxAndForward` False, or the forwarding rule also
///   deletes (delete / permanent delete) or stops processing rules. A rule that only
///   redirects (`RedirectTo`), without deleting or stopping, is medium. Transport rules
///   (`New-TransportRule` sending to an external address) count on the user who ran the
///   cmdlet: **medium** when delivery goes on (`BlindCopyTo`, `CopyTo`), **high** when the
///   recipients never get the message (`RedirectMessageTo`, `DeleteMessage`).
/// - `forwardingFanIn`: **high**, once on *each* mailbox when at least three distinct
///   mailboxes of the tenant forward (any change that qualifies for `externalForwarding`)
///   to the same external address within 7 days of each other; each keeps its own
///   `externalForwarding` story too. Internal addresses never count.
/// - `hidingRule`: **medium**, whatever the hiding action (a permanent delete does not
///   raise it: the hiding is the signal, not the loss).
/// - `loginThenPhish`: **high**.
/// - `accountTakeover`: **critical**. A suspicious sign-in (risk medium or high,
///   impossible travel, a failure burst then success, a new country from a single-factor
///   unmanaged device after three successful sign-ins) followed within 24 hours by a
///   forwarding or hiding rule, a mailbox delegation made by the victim's account
///   (`Add-MailboxPermission` FullAccess, `Add-RecipientPermission` SendAs,
///   `Set-Mailbox -GrantSendOnBehalfTo`), a security info (MFA) change or mass deletion.
///   A forwarding or hiding rule that follows a suspicious sign-in belongs to this story
///   and opens no story of its own.
/// - `defenderAlert`: Microsoft's own severity (informational/low → low, medium →
///   medium, high → high).
/// - A VIP user raises any of these by one level (up to critical). Attack victims are
///   never VIP, so no scenario's ground truth relies on it.
public enum ScenarioCatalog {
    /// Ordinary activity of every user, full of look-alikes; always part of a run.
    public static let benign = BenignActivity.scenario

    /// All scenarios, benign first.
    public static let all: [Scenario] = [benign] + attacks

    /// The attacks, each with its ground truth.
    public static let attacks: [Scenario] = [
        AccountTakeover.scenario,
        LoginThenPhish.scenario,
        HidingRule.scenario,
        PhishSpray.scenario,
        MailboxForwarding.scenario,
        OutlookRule.scenario,
        DefenderAlert.scenario,
        ForwardingFanIn.scenario,
        DelegationTakeover.scenario,
        TransportRuleBCC.scenario,
    ]

    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }
}
