/// The detections that open stories; `StoryView.detection` holds a raw value.
/// The tenant simulator's ground truth uses the same names.
public enum Detection: String, Sendable, Hashable, Codable, CaseIterable {
    /// An inbox rule, mailbox setting or transport rule that sends mail outside the tenant.
    case externalForwarding
    /// A rule that deletes, moves away or marks read mail the user should see.
    case hidingRule
    /// A suspicious sign-in followed by phishing for the same user.
    case loginThenPhish
    /// A suspicious sign-in followed by persistence (forwarding, hiding, delegation, MFA change).
    case accountTakeover
    /// Several mailboxes forwarding to the same external address.
    case forwardingFanIn
    /// An alert raised by Defender for Office 365.
    case defenderAlert
}
