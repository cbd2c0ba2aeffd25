import Events
import Foundation
import Logging
import M365

/// Collects the directory's user profiles (department, job title, manager, account enabled:
/// the context that makes a user a VIP or not) as a snapshot: each user is published when it
/// appears, changes or goes away, not on every poll.
///
/// The fingerprints are spread over ``shardCount`` checkpoints (`mail/users/0` …), by a stable
/// hash of the user id, so a tenant of 100,000 users stays far below Kafka's message size.
/// The count is fixed: changing it would move users between shards and report them removed
/// and created again.
struct UserProfileCollector: Sendable {
    let client: GraphClient
    let output: MailOutput
    let progress: CollectionProgressSink

    /// Health and `ce_source` of every user profile.
    static let source = "mail/users"
    static let shardCount = 16
    static let permission = "User.Read.All"
    static func shardSource(_ shard: Int) -> String { "\(source)/\(shard)" }

    static let properties = [
        "id", "userPrincipalName", "displayName", "mail", "department", "jobTitle", "officeLocation",
        "accountEnabled", "userType", "createdDateTime", "usageLocation",
    ]

    /// What the collector keeps between cycles.
    struct State: Sendable {
        var shards: [SnapshotState]
        var dedupe: RecordDeduplicator

        init(checkpoints: CollectorLease.Checkpoints, dedupe: RecordDeduplicator) {
            shards = (0..<UserProfileCollector.shardCount).map {
                SnapshotState(fingerprints: checkpoints[UserProfileCollector.shardSource($0)]?.fingerprints)
            }
            self.dedupe = dedupe
        }
    }

    /// The shard of a user id: FNV-1a of its lower-cased text, stable across processes
    /// (Swift's `Hasher` is seeded per process).
    static func shard(of id: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in id.keyNormalized.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return Int(hash % UInt32(shardCount))
    }

    func runCycle(_ state: inout State) async throws(CollectorError) {
        var progress = CollectionProgress(source: Self.source, startedAt: output.clock.now())
        progress.windowsTotal = 1
        state.dedupe.evict(now: output.clock.now())
        let users: [GraphItem]
        do {
            users = try await client.list(
                "users",
                query: [
                    ("$select", Self.properties.joined(separator: ",")),
                    ("$expand", "manager($select=id,userPrincipalName,displayName)"),
                ])
        } catch {
            throw GraphFailure.collectorError("listing users", error, permission: Self.permission)
        }
        var listings = [[SnapshotState.Item]](repeating: [], count: Self.shardCount)
        for user in users {
            guard let id = user.id, !id.isEmpty else { continue }
            listings[Self.shard(of: id)].append(SnapshotState.Item(id: id, resource: user.raw))
        }
        var upns: [String: String] = [:]
        for user in users {
            if let id = user.id, let upn = user[string: "userPrincipalName"] { upns[id] = upn }
        }
        for shard in 0..<Self.shardCount {
            let changes = state.shards[shard].changes(in: listings[shard])
            if !changes.isEmpty {
                let now = output.clock.now()
                let mailChanges = changes.map { change in
                    MailChange(
                        envelope: RawMailEnvelope(
                            tenantId: output.tenantId, resourceKind: .user, changeKind: change.kind,
                            resourceId: change.id, collectedAt: now, resource: change.resource),
                        // A removed user is known by id only: its own subject, re-keyable later.
                        key: RecordKey(tenantID: output.tenantId, user: upns[change.id] ?? change.id),
                        eventTime: now)
                }
                let outcome = try await output.publish(mailChanges, source: Self.source, dedupe: &state.dedupe)
                progress.recordsPublished += outcome.published
                progress.duplicatesSkipped += outcome.skipped
                state.shards[shard].apply(changes)
                try await output.writeCheckpoint(
                    CollectorCheckpoint(
                        tenantId: output.tenantId, source: Self.shardSource(shard),
                        fingerprints: state.shards[shard].fingerprints, updatedAt: now))
            }
        }
        progress.windowsDone = 1
        progress.now = output.clock.now()
        self.progress(progress)
    }
}
