/// Why a collector stopped or could not start, in words that say what to do.
public struct CollectorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// Kafka refused or never acknowledged records: nothing after them is checkpointed.
        public static let publishFailed = Code(name: "publishFailed")
        /// The checkpoint topic could not be read or written.
        public static let checkpointFailed = Code(name: "checkpointFailed")
        /// Another collector took over this tenant and source (the lease was revoked).
        public static let leaseLost = Code(name: "leaseLost")
        /// Microsoft refused the app's credentials: the collector is unhealthy until they are fixed.
        public static let credentialsRejected = Code(name: "credentialsRejected")
        /// The app lacks a permission the source needs (`ActivityFeed.Read`, `AuditLog.Read.All`, ...).
        public static let missingPermission = Code(name: "missingPermission")
        /// The configuration cannot work (bad time, unknown content type, ...).
        public static let invalidConfiguration = Code(name: "invalidConfiguration")
        /// A file given to `ingest` could not be read or is not an export.
        public static let invalidInput = Code(name: "invalidInput")
        /// Microsoft's API failed in a way retries did not cure.
        public static let sourceFailed = Code(name: "sourceFailed")
    }

    public var code: Code
    public var message: String
    /// Whether running the same step again later may succeed.
    public var isRetriable: Bool

    public init(code: Code, message: String, isRetriable: Bool) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
    }

    public var description: String { "\(code): \(message)" }
}
