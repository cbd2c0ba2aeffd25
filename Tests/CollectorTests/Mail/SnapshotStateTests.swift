import Collector
import Events
import Foundation
import Testing

@Suite("Snapshot change detection")
struct SnapshotStateTests {
    func rule(_ id: String, forwardTo: String? = nil, enabled: Bool = true) -> SnapshotState.Item {
        var actions: [String: JSONValue] = ["stopProcessingRules": .bool(true)]
        if let forwardTo {
            actions["forwardTo"] = .array([.object(["emailAddress": .object(["address": .string(forwardTo)])])])
        }
        return SnapshotState.Item(
            id: id,
            resource: .object([
                "id": .string(id), "isEnabled": .bool(enabled), "actions": .object(actions),
            ]))
    }

    @Test("a first listing reports every resource created; the same listing again reports nothing")
    func firstListingCreatesThenNothing() {
        var snapshot = SnapshotState()
        let listing = [rule("a"), rule("b", forwardTo: "x@evil.example")]
        let changes = snapshot.changes(in: listing)
        #expect(changes.map(\.kind) == [.created, .created])
        #expect(changes.map(\.id) == ["a", "b"])
        snapshot.apply(changes)
        #expect(snapshot.changes(in: listing).isEmpty)
    }

    @Test("a changed resource is updated, a new one created, a missing one removed in Graph's @removed shape")
    func changesAreClassified() {
        var snapshot = SnapshotState()
        snapshot.apply(snapshot.changes(in: [rule("a"), rule("b"), rule("c")]))
        let changes = snapshot.changes(in: [rule("a", enabled: false), rule("c"), rule("d")])
        #expect(changes.map(\.id) == ["a", "d", "b"])
        #expect(changes.map(\.kind) == [.updated, .created, .removed])
        let removed = changes[2]
        #expect(removed.resource == .object(["id": .string("b"), "@removed": .object(["reason": .string("deleted")])]))
        #expect(removed.fingerprint == nil)
        snapshot.apply(changes)
        #expect(snapshot.fingerprints.keys.sorted() == ["a", "c", "d"])
    }

    @Test("the order Graph writes members in does not count as a change")
    func memberOrderIsNotAChange() throws {
        let first = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"id":"a","x":1,"y":[1,2]}"#.utf8))
        let second = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"y":[1,2],"id":"a","x":1}"#.utf8))
        #expect(SnapshotState.fingerprint(first) == SnapshotState.fingerprint(second))
        var snapshot = SnapshotState()
        snapshot.apply(snapshot.changes(in: [.init(id: "a", resource: first)]))
        #expect(snapshot.changes(in: [.init(id: "a", resource: second)]).isEmpty)
    }

    @Test("fingerprints restored from a checkpoint detect the same changes")
    func restoredFingerprintsDetectChanges() {
        var snapshot = SnapshotState()
        snapshot.apply(snapshot.changes(in: [rule("a"), rule("b")]))
        let restored = SnapshotState(fingerprints: snapshot.fingerprints)
        #expect(restored.changes(in: [rule("a"), rule("b")]).isEmpty)
        #expect(restored.changes(in: [rule("a", forwardTo: "x@evil.example")]).map(\.kind) == [.updated, .removed])
    }

    @Test("an id listed twice counts once, as last listed")
    func duplicateIdCountsOnce() {
        let changes = SnapshotState().changes(in: [rule("a"), rule("a", enabled: false)])
        #expect(changes.count == 1)
        #expect(changes.first?.resource == rule("a", enabled: false).resource)
    }
}
