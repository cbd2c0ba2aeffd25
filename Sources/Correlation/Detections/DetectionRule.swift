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
        /// For an event that forwards outside: what other mailboxes of the tenant forward to the
        /// same addresses, as every correlator instance has seen it (the only view across users).
        public var forwardingPeers: [ForwardingObservation]

        public init(
            event: SecurityEvent, assessment: SignInAssessment?, state: UserState, context: TenantContext,
            configuration: DetectionConfiguration, forwardingPeers: [ForwardingObservation] = []
        ) {
            self.event = event
            self.assessment = assessment
            self.state = state
            self.context = context
            self.configuration = configuration
            self.forwardingPeers = forwardingPeers
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
    public static let shipped: [DetectionRule] = [
        .externalForwarding, .hidingRule, .loginThenPhish, .accountTakeover, .forwardingFanIn, .defenderAlert,
    ]
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
    /// True for findings that belong in whatever story the user has open (a Defender alert): they
    /// open a story of their own only when there is none.
    public var joinsOpenStory: Bool

    public init(
        detection: Detection, detectionVersion: String, criticality: StoryView.Criticality, confidence: Int,
        title: String, summary: String, condition: String, matched: [String: String], anchor: EventFact,
        events: [EventFact], entities: StoryView.Entities, joinsOpenStory: Bool = false
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
        self.joinsOpenStory = joinsOpenStory
    }
}
