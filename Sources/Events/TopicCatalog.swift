public import Kafka

/// Every topic Inboxwatch uses, with its partition count and cleanup policy
/// (DESIGN.md, "Topics"). Both the embedded broker and `CreateTopics` on a real
/// cluster are given this catalog, so the two never disagree.
///
/// The keyed topics (raw, state, stories, findings, commands) share one
/// partition count: a user's events, state and stories must land on the same
/// partition number so one correlator instance owns all of them.
public struct TopicCatalog: Sendable, Hashable {
    /// Prefix of every name; `inboxwatch` gives `inboxwatch.raw.audit` and so on.
    public var prefix: String
    /// Partitions of every topic keyed by `tenantId/userPrincipalName`.
    public var keyedPartitions: Int32
    public var replicationFactor: Int16

    public init(prefix: String = "inboxwatch", keyedPartitions: Int32 = 6, replicationFactor: Int16 = 1) {
        self.prefix = prefix
        self.keyedPartitions = keyedPartitions
        self.replicationFactor = replicationFactor
    }

    public var rawAudit: String { name("raw.audit") }
    public var rawMail: String { name("raw.mail") }
    public var stories: String { name("stories") }
    public var findingsOCSF: String { name("findings.ocsf") }
    public var remediationCommands: String { name("remediation.commands") }
    public var remediationOutcomes: String { name("remediation.outcomes") }
    /// Analysts' verdicts on stories, keyed by story id.
    public var storyVerdicts: String { name("story.verdicts") }
    public var correlatorState: String { name("correlator.state") }
    /// Mailboxes seen forwarding outside, keyed by `tenant/destination/user`: read whole by every
    /// correlator instance for forwarding fan-in.
    public var correlatorForwarding: String { name("correlator.forwarding") }
    public var collectorCheckpoints: String { name("collector.checkpoints") }
    public var deadLetter: String { name("deadletter") }

    private func name(_ suffix: String) -> String { "\(prefix).\(suffix)" }

    /// The topics with their partitions and configs.
    public var specs: [KafkaTopicSpec] {
        let week = String(7 * 24 * 3_600_000)
        let month = String(30 * 24 * 3_600_000)
        func keyed(_ name: String, _ configs: [String: String]) -> KafkaTopicSpec {
            KafkaTopicSpec(
                name: name, partitions: keyedPartitions, replicationFactor: replicationFactor, configs: configs)
        }
        func small(_ name: String, _ partitions: Int32, _ configs: [String: String]) -> KafkaTopicSpec {
            KafkaTopicSpec(name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
        }
        return [
            keyed(rawAudit, ["cleanup.policy": "delete", "retention.ms": week]),
            keyed(rawMail, ["cleanup.policy": "delete", "retention.ms": week]),
            // Not compacted: a user can have several stories under one key, and compaction would
            // keep only the last event of whichever story changed last.
            keyed(stories, ["cleanup.policy": "delete", "retention.ms": month]),
            keyed(findingsOCSF, ["cleanup.policy": "delete", "retention.ms": month]),
            keyed(remediationCommands, ["cleanup.policy": "delete", "retention.ms": week]),
            keyed(correlatorState, ["cleanup.policy": "compact"]),
            small(remediationOutcomes, 3, ["cleanup.policy": "compact"]),
            small(storyVerdicts, 3, ["cleanup.policy": "compact"]),
            small(correlatorForwarding, 3, ["cleanup.policy": "compact"]),
            small(collectorCheckpoints, 1, ["cleanup.policy": "compact"]),
            small(deadLetter, 3, ["cleanup.policy": "delete", "retention.ms": month]),
        ]
    }
}
