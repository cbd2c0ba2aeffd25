public import Events
public import Foundation

/// What the engine asks its caller to publish.
public enum CorrelatorOutput: Sendable, Hashable {
    /// A story event, keyed by the story's `tenant/user`.
    case story(StoryEvent, key: String)
    /// A raw record that could not be read, and why: the caller dead-letters it.
    case deadLetter(RawInput, NormalizationError)
    /// A remediation the auto-response policy asks for: the caller signs and publishes it.
    case command(RemediationRequest)
    /// A mailbox seen forwarding outside: the caller publishes it for every instance's fan-in table.
    case forwarding(ForwardingObservation)
    /// A finding the tuning keeps from becoming a story: the caller logs it (it is counted).
    case suppressed(SuppressedFinding)
}

/// A finding not raised because the tenant's tuning says so, and why: suppressions are never silent.
public struct SuppressedFinding: Sendable, Hashable {
    public var tenantId: String
    public var user: String
    public var detection: Detection
    public var title: String
    public var reason: String
    /// The record the finding rests on, and its event time.
    public var recordId: String
    public var time: Date
}

extension RawInput {
    /// The dead letter for this record, failed at `time` for `error`'s reason.
    public func deadLetter(_ error: NormalizationError, stage: String, at time: Date) -> DeadLetterRecord {
        DeadLetterRecord(
            reason: error.message, errorClass: error.code.rawValue, stage: stage,
            tenantId: key.split(separator: "/").first.map(String.init), sourceTopic: source.topic,
            sourcePartition: source.partition, sourceOffset: source.offset, originalKey: Array(key.utf8),
            originalValue: value, failedAt: time)
    }
}
