import Events
public import Foundation

/// What one partition's state is at a moment: the users changed since the last checkpoint and
/// how far the partition has got. Written to `inboxwatch.correlator.state` (users first, then
/// the progress marker), it is what an instance that takes the partition over restores.
public struct PartitionCheckpoint: Sendable, Hashable {
    /// The partition's position: where a replay starts, and the watermark to resume with.
    public struct Progress: Sendable, Hashable, Codable {
        /// Per feed (`audit`, `mail`): the first offset not yet reflected in every user's state.
        public var resume: [String: Int64]
        public var watermark: Date?
        /// Per feed: the latest event time seen.
        public var latestTimes: [String: Date]
        /// The tenants' reference data as this partition's input has told it (accepted domains).
        public var tenants: [String: TenantContext]

        public init(
            resume: [String: Int64] = [:], watermark: Date? = nil, latestTimes: [String: Date] = [:],
            tenants: [String: TenantContext] = [:]
        ) {
            self.resume = resume
            self.watermark = watermark
            self.latestTimes = latestTimes
            self.tenants = tenants
        }

        var latest: [(RawInput.Feed, Date)] {
            latestTimes.compactMap { key, time in RawInput.Feed(rawValue: key).map { ($0, time) } }
        }
    }

    public var partition: Int32
    public var progress: Progress
    /// Users changed since the last checkpoint, by `tenant/user`.
    public var users: [String: UserState]

    public init(partition: Int32, progress: Progress, users: [String: UserState]) {
        self.partition = partition
        self.progress = progress
        self.users = users
    }

    /// The marker's key on the state topic: it sorts apart from every `tenant/user` key.
    public static func markerKey(partition: Int32) -> String { "~correlator/partition-\(partition)" }
}
