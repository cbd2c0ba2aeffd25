public import Events

/// A detection: a named, versioned, pure function from one event, seen against the user's
/// state and the tenant's context, to findings. The engine owns everything else — ordering,
/// windows, deduplication, merging findings into stories, emitting them — so a detection holds
/// no state of its own and can be tested with values alone.
public struct DetectionRule: Sendable {
    /// Everything a detection may look at for one event.
    public struct Input: Sendable {
        public var event: SecurityEvent
        /// What the engine concluded about the event before folding it into the state
        /// (for a sign-in: why it is suspicious, if it is).
        public var assessment: SignInAssessment?
        /// The user's state *before* this event.
        public var state: UserState
        public var context: TenantContext
        public var configuration: DetectionConfiguration

        public init(
            event: SecurityEvent, assessment: SignInAssessment?, state: UserState, context: TenantContext,
            configuration: DetectionConfiguration
        ) {
            self.event = event
            self.assessment = assessment
            self.state = state
            self.context = context
            self.configuration = configuration
        }
    }

    public var detection: Detection
    /// Bumped when what fires it changes; recorded in every piece of evidence.
    public var version: String
    public var description: String
    /// The event kinds it reads; it is not called for others.
    public var reads: Set<SecurityEvent.Kind>
    public var evaluate: @Sendable (Input) -> [Finding]

    public init(
        detection: Detection, version: String, description: String, reads: Set<SecurityEvent.Kind>,
        evaluate: @escaping @Sendable (Input) -> [Finding]
    ) {
        self.detection = detection
        self.version = version
        self.description = description
        self.reads = reads
        self.evaluate = evaluate
    }

    /// The detections shipped today.
    public static let shipped: [DetectionRule] = [.externalForwarding, .loginThenPhish]
}

/// What a detection found: enough for the engine to open or extend a story.
public struct Finding: Sendable, Hashable {
    public var detection: Detection
    public var detectionVersion: String
    public var criticality: StoryView.Criticality
    /// 0 to 100.
    public var confidence: Int
    public var title: String
    public var summary: String
    /// The condition that matched, in words (`forwards to an address outside the tenant`).
    public var condition: String
    public var matched: [String: String]
    /// The record that names the incident: a story opened by this finding takes its id from it,
    /// so the same incident found again, on any instance, lands in the same story.
    public var anchor: EventFact
    /// Every event the finding rests on, the anchor included, for the timeline and references.
    public var events: [EventFact]
    public var entities: StoryView.Entities

    public init(
        detection: Detection, detectionVersion: String, criticality: StoryView.Criticality, confidence: Int,
        title: String, summary: String, condition: String, matched: [String: String], anchor: EventFact,
        events: [EventFact], entities: StoryView.Entities
    ) {
        self.detection = detection
        self.detectionVersion = detectionVersion
        self.criticality = criticality
        self.confidence = confidence
        self.title = title
        self.summary = summary
        self.condition = condition
        self.matched = matched
        self.anchor = anchor
        self.events = events
        self.entities = entities
    }
}

/// Per-deployment tuning of the detections.
public struct DetectionConfiguration: Sendable, Hashable, Codable {
    /// How long after a suspicious sign-in phishing still counts as its consequence.
    public var loginThenPhishWindow: Duration
    /// External recipients of one sent mail above which it counts as phishing sent from the account.
    public var massMailRecipients: Int
    /// Failed sign-ins within `failureBurstWindow` before a success that make it suspicious.
    public var failureBurstCount: Int
    public var failureBurstWindow: Duration
    /// Speed above which two consecutive sign-ins are impossible travel.
    public var impossibleTravelKilometresPerHour: Double
    /// Sign-ins closer than this are never impossible travel (geolocation is coarse).
    public var impossibleTravelMinimumKilometres: Double
    /// Successful sign-ins a user needs before a new country or network counts as unusual.
    public var baselineSignIns: Int
    /// External domains that may receive forwarded mail (a partner), lower-cased.
    public var allowedExternalDomains: Set<String>

    public init(
        loginThenPhishWindow: Duration = .seconds(24 * 3600), massMailRecipients: Int = 25, failureBurstCount: Int = 5,
        failureBurstWindow: Duration = .seconds(30 * 60), impossibleTravelKilometresPerHour: Double = 900,
        impossibleTravelMinimumKilometres: Double = 500, baselineSignIns: Int = 3,
        allowedExternalDomains: Set<String> = []
    ) {
        self.loginThenPhishWindow = loginThenPhishWindow
        self.massMailRecipients = massMailRecipients
        self.failureBurstCount = failureBurstCount
        self.failureBurstWindow = failureBurstWindow
        self.impossibleTravelKilometresPerHour = impossibleTravelKilometresPerHour
        self.impossibleTravelMinimumKilometres = impossibleTravelMinimumKilometres
        self.baselineSignIns = baselineSignIns
        self.allowedExternalDomains = allowedExternalDomains
    }
}
