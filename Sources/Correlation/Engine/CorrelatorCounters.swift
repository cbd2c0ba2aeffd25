/// What the engine did with its input, for logs and metrics: nothing it drops goes uncounted.
public struct CorrelatorCounters: Sendable, Hashable {
    public var received = 0
    public var applied = 0
    /// Passed through as generic events: kept on the raw topic, read by no detection.
    public var generic = 0
    /// Already applied (a duplicate record, or a replay after a restore).
    public var duplicates = 0
    /// Arrived behind the watermark: applied on arrival, out of order.
    public var late = 0
    public var deadLettered = 0
    public var findings = 0
    /// Findings the tuning suppressed (allowlisted recipients, suppressions): logged, not raised.
    public var suppressed = 0
    /// Forwarding observations read from other instances (and this one's own, read back).
    public var forwardingObservations = 0
    public var storyEvents = 0
    /// Commands, outcomes and verdicts read; those recorded on a story this instance owns.
    public var feedbackReceived = 0
    public var feedbackRecorded = 0
    /// Remediations the auto-response policy requested.
    public var commandsRequested = 0

    public init() {}
}
