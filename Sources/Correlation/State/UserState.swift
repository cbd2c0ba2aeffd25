public import Events
public import Foundation

/// One user's state: a fold over that user's events, in event-time order. It is what a
/// detection sees of the past, what a snapshot on `inboxwatch.correlator.state` holds, and it is
/// bounded — every list has a cap and forgets what is older than the longest window.
public struct UserState: Sendable, Hashable, Codable {
    /// Layout version inside the snapshot; bump when a field changes meaning.
    public static let layoutVersion = 2
    /// Layouts a snapshot may have and still be read: each later one only added fields.
    public static let readableLayouts = 1...layoutVersion

    /// A past sign-in, as much as later sign-ins are compared with.
    public struct SignIn: Sendable, Hashable, Codable {
        public var id: String
        public var time: Date
        public var succeeded: Bool
        public var ipAddress: String?
        public var country: String?
        public var latitude: Double?
        public var longitude: Double?
    }

    /// A sign-in judged suspicious, and why.
    public struct SuspiciousSignIn: Sendable, Hashable, Codable {
        public var fact: EventFact
        public var reasons: [String]
    }

    /// Something done to keep hold of the mailbox (a forwarding or hiding rule, a delegation, an
    /// MFA change, mass deletion): kept so that a suspicious sign-in arriving after it (later than
    /// the grace) still makes the takeover.
    public struct Persistence: Sendable, Hashable, Codable {
        public var fact: EventFact
        /// What it is, in words (`inbox rule "Sync" sends mail to x@y.example`).
        public var what: String
        /// Who and what it involves, for the story.
        public var entities: StoryView.Entities
    }

    /// Items deleted by one record.
    public struct Deletion: Sendable, Hashable, Codable {
        public var id: String
        public var time: Date
        public var items: Int
    }

    /// A story of this user the engine is keeping up to date.
    public struct StoryRecord: Sendable, Hashable, Codable {
        public var view: StoryView
        /// The sequence of the last event emitted for it.
        public var sequence: Int
        /// Event time of its latest evidence: a finding later than `storyWindow` after it opens a new story.
        public var lastEvidenceAt: Date
    }

    /// A record already applied, by `ce_id`, kept for the deduplication horizon.
    public struct Applied: Sendable, Hashable, Codable {
        public var id: String
        public var time: Date
    }

    public var signIns: [SignIn] = []
    public var suspiciousSignIns: [SuspiciousSignIn] = []
    /// Phishing that reached or came from the user (delivered, reported, alerted, mass-mailed).
    public var phishing: [EventFact] = []
    public var persistence: [Persistence] = []
    public var deletions: [Deletion] = []
    /// Country → last successful sign-in from it.
    public var countries: [String: Date] = [:]
    /// Network (IPv4 /24, IPv6 /48) → last successful sign-in from it.
    public var networks: [String: Date] = [:]
    /// Successful sign-ins ever seen; a baseline exists once there are a few.
    public var successfulSignIns: Int = 0
    public var profile: SecurityEvent.ProfileDetail?
    public var stories: [StoryRecord] = []
    public var applied: [Applied] = []
    /// Per feed (`audit`, `mail`), the input offset of this user's partition from which records
    /// may not yet be reflected here; earlier ones are, and are skipped on a replay.
    public var covers: [String: Int64] = [:]
    /// Latest event time applied.
    public var lastEventTime: Date?

    /// The ids of `applied`, for constant-time lookups; rebuilt when a snapshot is read.
    var appliedIDs: Set<String> = []

    public init() {}

    /// Whether a record with this id was already applied.
    public func hasApplied(_ id: String) -> Bool {
        appliedIDs.contains(id)
    }

    enum CodingKeys: String, CodingKey {
        case signIns, suspiciousSignIns, phishing, persistence, deletions, countries, networks, successfulSignIns,
            profile, stories, applied,
            covers, lastEventTime
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        signIns = try container.decode([SignIn].self, forKey: .signIns)
        suspiciousSignIns = try container.decode([SuspiciousSignIn].self, forKey: .suspiciousSignIns)
        phishing = try container.decode([EventFact].self, forKey: .phishing)
        // Added in layout 2: snapshots of layout 1 have none.
        persistence = try container.decodeIfPresent([Persistence].self, forKey: .persistence) ?? []
        deletions = try container.decodeIfPresent([Deletion].self, forKey: .deletions) ?? []
        countries = try container.decode([String: Date].self, forKey: .countries)
        networks = try container.decode([String: Date].self, forKey: .networks)
        successfulSignIns = try container.decode(Int.self, forKey: .successfulSignIns)
        profile = try container.decodeIfPresent(SecurityEvent.ProfileDetail.self, forKey: .profile)
        stories = try container.decode([StoryRecord].self, forKey: .stories)
        applied = try container.decode([Applied].self, forKey: .applied)
        covers = try container.decode([String: Int64].self, forKey: .covers)
        lastEventTime = try container.decodeIfPresent(Date.self, forKey: .lastEventTime)
        appliedIDs = Set(applied.map(\.id))
    }
}

/// The caps that keep a user's state bounded.
public struct StateLimits: Sendable, Hashable, Codable {
    public var signIns = 64
    public var suspiciousSignIns = 16
    public var phishing = 32
    public var persistence = 32
    public var deletions = 256
    public var countries = 32
    public var networks = 64
    public var stories = 16
    public var applied = 1_024
    /// Entries older than this (in event time, behind the user's latest event) are forgotten:
    /// longer than the longest window plus the grace.
    public var retention: Duration = .seconds(8 * 24 * 3600)
    /// Timeline, evidence and references kept per story; later ones are counted in the summary.
    public var storyEntries = 200

    public init() {}
}
