public import Foundation

/// What became of a command, on `inboxwatch.remediation.outcomes` (keyed by command id).
public struct RemediationOutcome: TopicValue {
    public static let schemaName = "remediation-outcome"

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Done in the tenant (or already so: the action is idempotent).
        case succeeded
        /// Tried and failed; `detail` says why.
        case failed
        /// Never run: unsigned, forged, replayed, expired, not allowed, or a protected account.
        case rejected
        /// Run in dry-run mode: `detail` says what would have been done.
        case dryRun
    }

    public var schemaVersion: SchemaVersion
    public var commandId: String
    public var storyId: String?
    public var tenantId: String
    public var action: RemediationCommand.Action
    public var status: Status
    public var detail: String
    public var attempts: Int
    public var completedAt: Date

    public init(
        schemaVersion: SchemaVersion = .v1, commandId: String, storyId: String? = nil, tenantId: String,
        action: RemediationCommand.Action, status: Status, detail: String, attempts: Int, completedAt: Date
    ) {
        self.schemaVersion = schemaVersion
        self.commandId = commandId
        self.storyId = storyId
        self.tenantId = tenantId
        self.action = action
        self.status = status
        self.detail = detail
        self.attempts = attempts
        self.completedAt = completedAt
    }

    public func validate() throws(EventDecodingError) {
        guard attempts >= 0 else {
            throw EventDecodingError(code: .invalidValue, message: "attempts cannot be negative", path: "attempts")
        }
    }
}
