public import Foundation

/// How the simulated Microsoft Graph pages its collections and how long its
/// delta links stay usable.
public struct GraphOptions: Sendable, Hashable {
    /// Items per page when a request gives no `$top` (or `Prefer: odata.maxpagesize`).
    public var pageSize: Int
    /// A `$deltatoken` (and a delta `$skiptoken`) older than this answers 410 `SyncStateNotFound`.
    public var deltaTokenLifetime: TimeInterval

    public init(pageSize: Int = 50, deltaTokenLifetime: TimeInterval = 7 * 24 * 3600) {
        self.pageSize = max(1, pageSize)
        self.deltaTokenLifetime = deltaTokenLifetime
    }

    /// The options a simulator configuration asks for (its `graphPageSize`).
    public init(configuration: SimulatorConfiguration, deltaTokenLifetime: TimeInterval = 7 * 24 * 3600) {
        self.init(pageSize: configuration.graphPageSize, deltaTokenLifetime: deltaTokenLifetime)
    }
}
