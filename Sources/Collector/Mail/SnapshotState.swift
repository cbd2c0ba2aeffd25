public import Events
import Foundation

/// What a snapshot source (inbox rules, mailbox settings, user profiles, accepted domains)
/// last published: a fingerprint of each resource's content by resource id, kept in the
/// checkpoint, so a poll publishes only what was created, changed or removed since.
///
/// A pure value: the driver lists the whole collection, asks for ``changes(in:)``, publishes
/// them, then ``apply(_:)``s them and checkpoints ``fingerprints`` once Kafka acknowledged.
public struct SnapshotState: Sendable, Hashable {
    public private(set) var fingerprints: [String: String]

    public init(fingerprints: [String: String]? = nil) {
        self.fingerprints = fingerprints ?? [:]
    }

    /// One resource of a complete listing.
    public struct Item: Sendable, Hashable {
        public var id: String
        public var resource: JSONValue

        public init(id: String, resource: JSONValue) {
            self.id = id
            self.resource = resource
        }
    }

    /// A resource that appeared, changed or went away.
    public struct Change: Sendable, Hashable {
        public var id: String
        public var kind: RawMailEnvelope.ChangeKind
        /// The resource as listed; for a removal, Graph's `@removed` shape with the id.
        public var resource: JSONValue
        /// Its fingerprint from now on; nil once removed.
        public var fingerprint: String?
    }

    /// Compares a complete listing with what was published: new ids are `created`, ids whose
    /// content differs `updated`, ids no longer listed `removed` (sorted by id, after the rest).
    /// Nothing when nothing changed. An id listed twice counts once, as last listed.
    public func changes(in listing: [Item]) -> [Change] {
        var latest: [String: Item] = [:]
        var order: [String] = []
        for item in listing {
            if latest.updateValue(item, forKey: item.id) == nil { order.append(item.id) }
        }
        var changes: [Change] = []
        for id in order {
            guard let item = latest[id] else { continue }
            let fingerprint = Self.fingerprint(item.resource)
            switch fingerprints[id] {
            case nil: changes.append(Change(id: id, kind: .created, resource: item.resource, fingerprint: fingerprint))
            case fingerprint?: continue
            case _?: changes.append(Change(id: id, kind: .updated, resource: item.resource, fingerprint: fingerprint))
            }
        }
        for id in fingerprints.keys.sorted() where latest[id] == nil {
            changes.append(
                Change(id: id, kind: .removed, resource: MailChange.removedResource(id: id), fingerprint: nil))
        }
        return changes
    }

    /// The changes are published: remember the new fingerprints.
    public mutating func apply(_ changes: [Change]) {
        for change in changes { fingerprints[change.id] = change.fingerprint }
    }

    /// A short digest of the resource's canonical JSON (members sorted): equal content, equal
    /// fingerprint, whatever order Graph wrote the members in.
    public static func fingerprint(_ resource: JSONValue) -> String {
        String(EventID.derived("snapshot", from: [resource.canonicalText]).dropFirst("snapshot-".count).prefix(16))
    }
}
