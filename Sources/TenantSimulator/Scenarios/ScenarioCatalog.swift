/// Every scenario the simulator can play, by name.
///
/// Criticality rules the ground truth follows (the detections implement the same):
/// - `externalForwarding`: **medium** when the mailbox keeps a copy; **high** when it
///   does not — `DeliverToMailboxAndForward` False, or the forwarding rule also
///   deletes (delete / permanent delete) or stops processing rules.
/// - `hidingRule`: **medium**, whatever the hiding action (a permanent delete does not
///   raise it: the hiding is the signal, not the loss).
/// - `loginThenPhish`: **high**.
/// - `accountTakeover`: **critical**. A forwarding or hiding rule that follows a
///   suspicious sign-in belongs to this story and opens no story of its own.
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
    ]

    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }
}
