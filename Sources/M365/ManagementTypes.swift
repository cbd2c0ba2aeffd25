public import Events
public import Foundation

/// A Management Activity API content type. A struct, not an enum, because Microsoft adds types.
public struct AuditContentType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let azureActiveDirectory = AuditContentType(rawValue: "Audit.AzureActiveDirectory")
    public static let exchange = AuditContentType(rawValue: "Audit.Exchange")
    public static let sharePoint = AuditContentType(rawValue: "Audit.SharePoint")
    public static let general = AuditContentType(rawValue: "Audit.General")
    /// Needs `ActivityFeed.ReadDlp` as well.
    public static let dlpAll = AuditContentType(rawValue: "DLP.All")

    public var description: String { rawValue }
}

/// A subscription as `subscriptions/list` and `subscriptions/start` describe it.
public struct ManagementSubscription: Sendable, Hashable {
    public var contentType: AuditContentType
    /// `enabled` or `disabled`.
    public var status: String
    /// The webhook address, if one is configured; this client polls and never sets one.
    public var webhookAddress: String?

    public var isEnabled: Bool { status.lowercased() == "enabled" }

    public init(contentType: AuditContentType, status: String, webhookAddress: String? = nil) {
        self.contentType = contentType
        self.status = status
        self.webhookAddress = webhookAddress
    }
}

/// A window of a content listing. It filters on when Microsoft *published* a blob
/// (`contentCreated`), not on when its events happened. The API allows at most 24 hours and
/// a start at most 7 days back; ``ManagementActivityClient`` checks both before sending.
/// Times go out in whole seconds, rounded down, so consecutive windows that share an
/// instant stay contiguous.
public struct AuditWindow: Sendable, Hashable, CustomStringConvertible {
    public var start: Date
    public var end: Date

    public static let maximumLength: TimeInterval = 24 * 3600
    public static let retention: TimeInterval = 7 * 24 * 3600

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public var description: String { "[\(M365Time.windowTime(start)), \(M365Time.windowTime(end)))" }

    /// Checks the API's rules against `now`, so a bad window fails at once with a clear
    /// error instead of a round trip and an AF code.
    public func validate(now: Date) throws(ManagementError) {
        let start = M365Time.floorSecond(self.start)
        let end = M365Time.floorSecond(self.end)
        guard start < end else {
            throw ManagementError(
                code: .invalidWindow, message: "window \(self): the start must be before the end (checked locally)")
        }
        guard end.timeIntervalSince(start) <= Self.maximumLength else {
            throw ManagementError(
                code: .invalidWindow,
                message: "window \(self) is \(Int(end.timeIntervalSince(start))) s long; at most 24 hours are allowed "
                    + "(checked locally)")
        }
        guard start >= now.addingTimeInterval(-Self.retention) else {
            throw ManagementError(
                code: .windowTooOld,
                message: "window \(self) starts more than 7 days before now (\(M365Time.windowTime(now))); "
                    + "content that old is no longer listed (checked locally)")
        }
    }
}

/// One blob a content listing announced.
public struct ContentBlobReference: Sendable, Hashable {
    public var contentType: AuditContentType
    public var contentId: String
    /// Where to fetch it (``ManagementActivityClient/fetchBlob(_:)``).
    public var contentUri: String
    /// When Microsoft published it: what the listing window filters on.
    public var contentCreated: Date?
    /// After this the blob answers AF20051.
    public var contentExpiration: Date?

    public init(
        contentType: AuditContentType, contentId: String, contentUri: String, contentCreated: Date?,
        contentExpiration: Date?
    ) {
        self.contentType = contentType
        self.contentId = contentId
        self.contentUri = contentUri
        self.contentCreated = contentCreated
        self.contentExpiration = contentExpiration
    }
}

/// One page of a content listing.
public struct ContentPage: Sendable, Hashable {
    /// The URL this page was read from.
    public var pageURI: String
    public var blobs: [ContentBlobReference]
    /// The `NextPageUri` header exactly as sent, or nil on the last page. A collector can keep
    /// it as a checkpoint and resume with ``ManagementActivityClient/contentPages(resumingAt:)``.
    public var nextPageURI: String?
}

/// A fetched content blob: the body as sent and the exact bytes of each element.
///
/// Records are kept as bytes because collectors must forward them verbatim and dead-letter
/// the elements that are not records with their original text.
public struct AuditBlobContent: Sendable, Hashable {
    public var contentUri: String
    /// The whole body.
    public var body: Data
    /// Each element of the JSON array, byte for byte.
    public var records: [Data]

    /// Each element decoded; nil for an element that does not decode (it is still in ``records``).
    public func values() -> [JSONValue?] {
        records.map { try? JSONDecoder().decode(JSONValue.self, from: $0) }
    }
}
