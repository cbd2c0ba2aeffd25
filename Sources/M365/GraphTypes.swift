public import Events
public import Foundation

/// A Graph API version segment.
public struct GraphVersion: RawRepresentable, Sendable, Hashable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let v1 = GraphVersion(rawValue: "v1.0")
    /// Needed for threat submissions, which are beta only.
    public static let beta = GraphVersion(rawValue: "beta")
}

/// One Graph resource as returned (`raw`), with the few fields callers need typed.
public struct GraphItem: Sendable, Hashable {
    /// The resource exactly as Graph sent it (decoded; key order is not kept).
    public var raw: JSONValue
    /// Its `id`.
    public var id: String?
    /// Its main time (e.g. `createdDateTime` of a sign-in, `receivedDateTime` of a message),
    /// when the read names one and the resource has it.
    public var time: Date?

    public init(raw: JSONValue, timeKey: String? = nil) {
        self.raw = raw
        self.id = raw["id"]?.stringValue
        self.time = timeKey.flatMap { raw[$0]?.stringValue }.flatMap(M365Time.parseISO)
    }

    /// A string property.
    public subscript(string key: String) -> String? { raw[key]?.stringValue }

    /// A time property (ISO 8601, with or without zone).
    public func date(_ key: String) -> Date? { raw[key]?.stringValue.flatMap(M365Time.parseISO) }
}

/// One page of a Graph collection.
public struct GraphPage: Sendable, Hashable {
    /// The URL it was read from.
    public var url: String
    /// `value`, each element as sent.
    public var items: [JSONValue]
    /// `@odata.nextLink`: more pages follow.
    public var nextLink: String?
    /// `@odata.deltaLink`: the last page of a delta round; keep it for the next round.
    public var deltaLink: String?
}

/// An item a delta round reports as gone from the collection (`@removed`): deleted, or moved
/// elsewhere (`reason` is `deleted` or `changed`).
public struct RemovedItem: Sendable, Hashable {
    public var id: String
    public var reason: String?
}

/// What one delta round found: resources added or changed, resources removed, and the link to
/// ask for the next round's changes.
public struct DeltaResult: Sendable, Hashable {
    public var changed: [GraphItem]
    public var removed: [RemovedItem]
    /// Store it as the checkpoint; a 410 on it later means a full resync.
    public var deltaLink: String
}
