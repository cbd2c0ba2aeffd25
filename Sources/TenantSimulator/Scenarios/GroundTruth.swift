public import Events

/// What a correct pipeline must conclude from a scenario: the stories it must
/// open, and the benign look-alikes that must not open one.
public struct GroundTruth: Sendable, Hashable, Codable {
    public var scenario: String
    public var seed: UInt64
    public var tenantId: String
    public var expectedStories: [ExpectedStory]
    public var benignLookAlikes: [BenignLookAlike]

    public init(
        scenario: String, seed: UInt64, tenantId: String, expectedStories: [ExpectedStory] = [],
        benignLookAlikes: [BenignLookAlike] = []
    ) {
        self.scenario = scenario
        self.seed = seed
        self.tenantId = tenantId
        self.expectedStories = expectedStories
        self.benignLookAlikes = benignLookAlikes
    }

    /// A story a correct pipeline opens, exactly once per (user, detection).
    public struct ExpectedStory: Sendable, Hashable, Codable {
        /// The attack that causes it (`account-takeover`).
        public var attack: String
        /// Lower-cased UPN: the story's key subject.
        public var user: String
        public var detection: Detection
        public var criticality: StoryView.Criticality
        /// Why, in a sentence an analyst would write.
        public var explanation: String
        /// Audit record `Id`s and Graph resource ids the story rests on.
        public var evidence: [String]

        public init(
            attack: String, user: String, detection: Detection, criticality: StoryView.Criticality,
            explanation: String, evidence: [String]
        ) {
            self.attack = attack
            self.user = user
            self.detection = detection
            self.criticality = criticality
            self.explanation = explanation
            self.evidence = evidence
        }
    }

    /// Activity that looks like an attack but is not; no story may name this user
    /// with this detection because of it.
    public struct BenignLookAlike: Sendable, Hashable, Codable {
        public var kind: String
        public var user: String
        /// The detection it resembles.
        public var resembles: Detection
        public var explanation: String
        public var evidence: [String]

        public init(kind: String, user: String, resembles: Detection, explanation: String, evidence: [String]) {
            self.kind = kind
            self.user = user
            self.resembles = resembles
            self.explanation = explanation
            self.evidence = evidence
        }
    }
}
