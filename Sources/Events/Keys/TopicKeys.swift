import Foundation

/// Keys of the records that are not about one user (DESIGN.md, topic table).
public enum TopicKeys {
    /// A collector checkpoint: `tenant/source`, lower-cased, one per resumable source.
    public static func checkpoint(tenantID: String, source: String) -> String {
        "\(tenantID.keyNormalized)/\(source.keyNormalized)"
    }

    /// A remediation outcome: the command id, so the compacted topic keeps the last word on each command.
    public static func outcome(commandID: String) -> String {
        commandID.keyNormalized
    }
}
