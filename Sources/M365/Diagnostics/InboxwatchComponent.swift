/// The parts of Inboxwatch a deployment runs, each needing its own permissions and topics:
/// what `inboxwatch doctor --components` names.
public enum InboxwatchComponent: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// The audit collector (Management Activity API → `raw.audit`).
    case audit
    /// The mail collector (Graph reads → `raw.mail`).
    case mail
    /// The correlator (raw topics → stories); it talks only to Kafka.
    case correlator
    /// The action worker (commands → Graph writes → outcomes), with its own app registration.
    case act

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
