public import Events
public import Foundation

/// Writes a partition's checkpoint as records of `inboxwatch.correlator.state` and reads them
/// back. Times inside the state keep full precision (a restored state must compare exactly as
/// the one that was written), unlike the millisecond times of the envelopes.
public struct StateCodec: Sendable {
    /// The topic of each feed, as recorded in `covers`.
    public var feedTopics: [RawInput.Feed: String]

    public init(feedTopics: [RawInput.Feed: String]) {
        self.feedTopics = feedTopics
    }

    /// The snapshots of a checkpoint: one per changed user, then the partition's marker, so a
    /// reader that sees the marker has seen every user it covers.
    public func snapshots(of checkpoint: PartitionCheckpoint, at time: Date) throws(EventDecodingError)
        -> [CorrelatorStateSnapshot]
    {
        var snapshots: [CorrelatorStateSnapshot] = []
        for key in checkpoint.users.keys.sorted() {
            guard let state = checkpoint.users[key] else { continue }
            snapshots.append(
                CorrelatorStateSnapshot(
                    key: key, covers: covers(state.covers, partition: checkpoint.partition), updatedAt: time,
                    stateVersion: UserState.layoutVersion, state: try Self.jsonValue(state)))
        }
        snapshots.append(
            CorrelatorStateSnapshot(
                key: PartitionCheckpoint.markerKey(partition: checkpoint.partition),
                covers: covers(checkpoint.progress.resume, partition: checkpoint.partition), updatedAt: time,
                stateVersion: UserState.layoutVersion, state: try Self.jsonValue(checkpoint.progress)))
        return snapshots
    }

    /// Folds the state topic's records of one partition, oldest first, into the checkpoint to
    /// restore: the latest snapshot of each user and the latest marker. Nil when there is none.
    public func restore(partition: Int32, from snapshots: [CorrelatorStateSnapshot]) throws(EventDecodingError)
        -> PartitionCheckpoint?
    {
        var users: [String: UserState] = [:]
        var progress: PartitionCheckpoint.Progress?
        let marker = PartitionCheckpoint.markerKey(partition: partition)
        for snapshot in snapshots {
            guard UserState.readableLayouts.contains(snapshot.stateVersion) else {
                throw EventDecodingError(
                    code: .invalidValue,
                    message:
                        "state of \(snapshot.key) has layout \(snapshot.stateVersion); this correlator reads \(UserState.readableLayouts)",
                    path: "stateVersion")
            }
            if snapshot.key == marker {
                progress = try Self.decode(PartitionCheckpoint.Progress.self, from: snapshot.state)
            } else {
                users[snapshot.key] = try Self.decode(UserState.self, from: snapshot.state)
            }
        }
        guard progress != nil || !users.isEmpty else { return nil }
        return PartitionCheckpoint(partition: partition, progress: progress ?? .init(), users: users)
    }

    private func covers(_ offsets: [String: Int64], partition: Int32) -> [CorrelatorStateSnapshot.SourceOffset] {
        offsets.keys.sorted().compactMap { feed in
            guard let topic = RawInput.Feed(rawValue: feed).flatMap({ feedTopics[$0] }), let offset = offsets[feed]
            else {
                return nil
            }
            return CorrelatorStateSnapshot.SourceOffset(topic: topic, partition: partition, nextOffset: offset)
        }
    }

    static func jsonValue<T: Encodable>(_ value: T) throws(EventDecodingError) -> JSONValue {
        do {
            // Straight to the tree: writing JSON text and parsing it back was most of a checkpoint.
            return try JSONValueEncoder.encode(value)
        } catch {
            throw EventDecodingError(code: .invalidValue, message: "state does not encode: \(error)", path: "state")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(EventDecodingError) -> T {
        do {
            let data = try JSONEncoder().encode(value)
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw EventDecodingError(
                code: .invalidValue, message: "state does not decode as \(T.self): \(error)", path: "state")
        }
    }
}
