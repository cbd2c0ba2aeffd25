public import Foundation

/// What a collector says about itself, per tenant and source, so a health endpoint can tell
/// "working, nothing new" from "cannot work": an expired secret must never look healthy.
public struct CollectorHealth: Sendable, Hashable, CustomStringConvertible {
    public enum Status: String, Sendable, Hashable {
        /// The last cycle completed.
        case healthy
        /// The last cycle failed in a way that may pass (throttling, 5xx, Kafka unavailable).
        case degraded
        /// The collector cannot work until someone acts: credentials refused, permission missing.
        case unhealthy
    }

    public var tenantId: String
    public var source: String
    public var status: Status
    /// Why, for a person; empty when healthy.
    public var reason: String
    public var since: Date

    public init(tenantId: String, source: String, status: Status, reason: String, since: Date) {
        self.tenantId = tenantId
        self.source = source
        self.status = status
        self.reason = reason
        self.since = since
    }

    public var description: String {
        "\(tenantId) \(source): \(status)\(reason.isEmpty ? "" : " (\(reason))")"
    }
}

/// Receives health changes; the CLI logs them, the service layer serves them on `/readyz`.
public typealias CollectorHealthSink = @Sendable (CollectorHealth) -> Void
