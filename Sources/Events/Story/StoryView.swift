public import Foundation

/// A story as an analyst reads it: what happened to one user, how bad it is,
/// why we think so, and what was done. Every story event carries the full view.
public struct StoryView: Sendable, Hashable, Codable {
    public enum Criticality: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case low, medium, high, critical

        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open, contained, closed
    }

    /// Stable: derived from tenant, user, detection and the first triggering record,
    /// so replays and late records update the same story.
    public var id: String
    public var tenantId: String
    /// The record key subject (`alice@contoso.com`).
    public var user: String
    /// The detection that opened the story: a ``Detection`` raw value (`externalForwarding`, `accountTakeover`, ...).
    public var detection: String
    public var title: String
    public var criticality: Criticality
    /// 0 to 100.
    public var confidence: Int
    public var status: Status
    public var summary: String
    public var openedAt: Date
    public var updatedAt: Date
    public var timeline: [TimelineEntry]
    public var entities: Entities
    public var evidence: [Evidence]
    public var actions: [Action]
    /// Every raw record the story rests on.
    public var references: [SourceReference]
    /// An analyst's judgement, once one was given (`inboxwatch story ID --verdict`).
    public var verdict: Verdict?

    /// What an analyst decided about the story.
    public struct Verdict: Sendable, Hashable, Codable {
        public enum Value: String, Sendable, Hashable, Codable, CaseIterable {
            case truePositive, falsePositive, benign
        }

        public var value: Value
        public var analyst: String
        public var note: String?
        public var decidedAt: Date

        public init(value: Value, analyst: String, note: String? = nil, decidedAt: Date) {
            self.value = value
            self.analyst = analyst
            self.note = note
            self.decidedAt = decidedAt
        }
    }

    /// One thing that happened, at its event time.
    public struct TimelineEntry: Sendable, Hashable, Codable {
        public var time: Date
        public var event: String
        public var source: SourceReference?

        public init(time: Date, event: String, source: SourceReference? = nil) {
            self.time = time
            self.event = event
            self.source = source
        }
    }

    /// What and who the story involves.
    public struct Entities: Sendable, Hashable, Codable {
        public var users: [String]
        public var mailboxes: [String]
        public var ipAddresses: [IPAddress]
        public var rules: [Rule]
        public var externalRecipients: [String]
        public var messageIds: [String]

        public struct IPAddress: Sendable, Hashable, Codable {
            public var address: String
            /// ISO 3166 alpha-2, when known.
            public var country: String?

            public init(address: String, country: String? = nil) {
                self.address = address
                self.country = country
            }
        }

        public struct Rule: Sendable, Hashable, Codable {
            public var name: String?
            public var id: String?

            public init(name: String? = nil, id: String? = nil) {
                self.name = name
                self.id = id
            }
        }

        public init(
            users: [String] = [], mailboxes: [String] = [], ipAddresses: [IPAddress] = [], rules: [Rule] = [],
            externalRecipients: [String] = [], messageIds: [String] = []
        ) {
            self.users = users
            self.mailboxes = mailboxes
            self.ipAddresses = ipAddresses
            self.rules = rules
            self.externalRecipients = externalRecipients
            self.messageIds = messageIds
        }
    }

    /// Why the detection fired: the condition it checked and the values that matched.
    public struct Evidence: Sendable, Hashable, Codable {
        public var detection: String
        public var detectionVersion: String
        public var condition: String
        public var matched: [String: String]
        public var source: SourceReference?

        public init(
            detection: String, detectionVersion: String, condition: String, matched: [String: String],
            source: SourceReference? = nil
        ) {
            self.detection = detection
            self.detectionVersion = detectionVersion
            self.condition = condition
            self.matched = matched
            self.source = source
        }
    }

    /// A remediation requested for the story, and what became of it.
    public struct Action: Sendable, Hashable, Codable {
        public var commandId: String
        public var action: RemediationCommand.Action
        public var requestedBy: String
        public var requestedAt: Date
        /// Absent until an outcome arrives.
        public var outcome: RemediationOutcome.Status?
        public var completedAt: Date?
        public var detail: String?

        public init(
            commandId: String, action: RemediationCommand.Action, requestedBy: String, requestedAt: Date,
            outcome: RemediationOutcome.Status? = nil, completedAt: Date? = nil, detail: String? = nil
        ) {
            self.commandId = commandId
            self.action = action
            self.requestedBy = requestedBy
            self.requestedAt = requestedAt
            self.outcome = outcome
            self.completedAt = completedAt
            self.detail = detail
        }
    }

    public init(
        id: String, tenantId: String, user: String, detection: String, title: String, criticality: Criticality,
        confidence: Int, status: Status, summary: String, openedAt: Date, updatedAt: Date,
        timeline: [TimelineEntry] = [], entities: Entities = Entities(), evidence: [Evidence] = [],
        actions: [Action] = [], references: [SourceReference] = [], verdict: Verdict? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.user = user
        self.detection = detection
        self.title = title
        self.criticality = criticality
        self.confidence = confidence
        self.status = status
        self.summary = summary
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.timeline = timeline
        self.entities = entities
        self.evidence = evidence
        self.actions = actions
        self.references = references
        self.verdict = verdict
    }
}
