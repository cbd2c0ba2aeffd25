public import Events
public import Foundation

/// What the state and the stories keep of one event: enough to show it on a timeline and
/// point back at the raw record, without the record itself (state per user stays small).
public struct EventFact: Sendable, Hashable, Codable {
    public var id: String
    public var kind: SecurityEvent.Kind
    public var time: Date
    /// One line for the timeline (`sign-in from 203.0.113.7 (RU)`).
    public var summary: String
    public var source: SourceReference
    public var ipAddress: String?
    public var country: String?

    public init(
        id: String, kind: SecurityEvent.Kind, time: Date, summary: String, source: SourceReference,
        ipAddress: String? = nil, country: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.time = time
        self.summary = summary
        self.source = source
        self.ipAddress = ipAddress
        self.country = country
    }

    public init(_ event: SecurityEvent, summary: String) {
        self.init(
            id: event.id, kind: event.kind, time: event.time, summary: summary, source: event.source,
            ipAddress: event.ipAddress, country: event.country)
    }

    /// Events sort by event time, then by id, so ties break the same way on every instance.
    public static func byTime(_ lhs: EventFact, _ rhs: EventFact) -> Bool {
        (lhs.time, lhs.id) < (rhs.time, rhs.id)
    }
}

extension EventFact {
    /// The address it came from, for a story's entities.
    var ipEntity: StoryView.Entities.IPAddress? {
        ipAddress.map { StoryView.Entities.IPAddress(address: $0, country: country) }
    }
}

extension SecurityEvent {
    /// What any story about this one event names: the user, their mailbox, the address it came
    /// from, and the rule it is about (if any); detections add what is theirs.
    var entities: StoryView.Entities {
        StoryView.Entities(
            users: [user], mailboxes: [user],
            ipAddresses: ipAddress.map { [StoryView.Entities.IPAddress(address: $0, country: country)] } ?? [],
            rules: ruleName != nil || ruleId != nil ? [StoryView.Entities.Rule(name: ruleName, id: ruleId)] : [])
    }
}
