import Events
import Foundation
import Logging
import M365

/// Collects one mailbox: its inbox by delta query, its inbox rules and its mailbox settings as
/// snapshots. The three parts are independent: one failing does not stop the others, and each
/// checkpoints on its own after Kafka acknowledged what it published. Requests to the mailbox
/// go one at a time.
struct MailboxCollector: Sendable {
    let client: GraphClient
    let output: MailOutput
    let backfillFrom: Date?

    static let settingsPermission = "MailboxSettings.Read"

    /// What collecting one mailbox did.
    struct Outcome: Sendable {
        var published = 0
        var skipped = 0
        var failures: [CollectorError] = []
    }

    private var clock: M365Clock { output.clock }
    private var tenantId: String { output.tenantId }

    func collect(_ state: inout MailboxState) async -> Outcome {
        var outcome = Outcome()
        state.dedupe.evict(now: clock.now())
        let parts: [(inout MailboxState, inout Outcome) async throws(GraphOrCollectorError) -> Void] = [
            messages, rules, settings,
        ]
        for part in parts {
            do throws(GraphOrCollectorError) {
                try await part(&state, &outcome)
            } catch .noMailbox {
                if !state.missingLogged {
                    state.missingLogged = true
                    output.logger.warning(
                        "in scope but without an Exchange Online mailbox (404); skipped",
                        metadata: ["mailbox": "\(state.mailbox)"])
                }
                // A user without a mailbox (unlicensed, not migrated) is not an error: nothing to read.
                return outcome
            } catch {
                guard case .failed(let error) = error else { continue }
                outcome.failures.append(error)
            }
        }
        return outcome
    }

    /// A part fails with a collector error, or finds that the mailbox does not exist.
    enum GraphOrCollectorError: Error {
        case failed(CollectorError)
        case noMailbox
    }

    // MARK: Parts

    private func messages(_ state: inout MailboxState, _ outcome: inout Outcome) async throws(GraphOrCollectorError) {
        let mailbox = state.mailbox
        let source = state.messages.source
        let walker = MessageDeltaWalker(client: client, mailbox: mailbox, clock: clock, logger: output.logger)
        var published = 0
        var dedupe = state.dedupe
        do throws(MessageDeltaWalker.Failure) {
            try await walker.walk(&state.messages, backfillFrom: backfillFrom) { items, round throws(CollectorError) in
                let changes = items.compactMap { messageChange($0, mailbox: mailbox, round: round) }
                let result = try await output.publish(changes, source: source, dedupe: &dedupe)
                published += result.published
                outcome.skipped += result.skipped
            }
        } catch {
            state.dedupe = dedupe
            outcome.published += published
            switch error {
            case .graph(let error):
                throw Self.classify(
                    error, "reading the inbox delta of \(mailbox)", permission: MessageDeltaWalker.permission)
            case .handling(let error):
                throw .failed(error)
            }
        }
        state.dedupe = dedupe
        outcome.published += published
        let now = clock.now()
        guard state.messages.needsCheckpoint(published: published, now: now) else { return }
        do throws(CollectorError) {
            try await output.writeCheckpoint(state.messages.checkpoint(now: now))
            state.messages.checkpointWritten(at: now)
        } catch {
            throw .failed(error)
        }
    }

    private func messageChange(_ item: JSONValue, mailbox: String, round: MessageDeltaState) -> MailChange? {
        guard let id = item["id"]?.stringValue, !id.isEmpty else { return nil }
        let now = clock.now()
        let envelope: RawMailEnvelope
        var time = now
        if let removed = item["@removed"] {
            envelope = RawMailEnvelope(
                tenantId: tenantId, resourceKind: .message, changeKind: .removed, resourceId: id, mailbox: mailbox,
                collectedAt: now,
                resource: MailChange.removedResource(id: id, reason: removed["reason"]?.stringValue ?? "deleted"))
        } else {
            let received = item["receivedDateTime"]?.stringValue.flatMap(M365Time.parseISO)
            let kind = round.changeKind(receivedAt: received)
            let modified = item["lastModifiedDateTime"]?.stringValue.flatMap(M365Time.parseISO)
            time = (kind == .created ? received : modified ?? received) ?? now
            envelope = RawMailEnvelope(
                tenantId: tenantId, resourceKind: .message, changeKind: kind, resourceId: id, mailbox: mailbox,
                collectedAt: now, resource: MessageResource.published(item))
        }
        return MailChange(envelope: envelope, key: RecordKey(tenantID: tenantId, user: mailbox), eventTime: time)
    }

    private func rules(_ state: inout MailboxState, _ outcome: inout Outcome) async throws(GraphOrCollectorError) {
        let listing: [GraphItem]
        do {
            listing = try await client.messageRules(mailbox: state.mailbox)
        } catch {
            throw Self.classify(
                error, "listing the inbox rules of \(state.mailbox)", permission: Self.settingsPermission)
        }
        let items = listing.compactMap { rule in rule.id.map { SnapshotState.Item(id: $0, resource: rule.raw) } }
        try await publishSnapshot(
            items, kind: .messageRule, snapshot: \.rules, source: MailboxState.Source.rules(state.mailbox), &state,
            &outcome)
    }

    private func settings(_ state: inout MailboxState, _ outcome: inout Outcome) async throws(GraphOrCollectorError) {
        let settings: JSONValue
        do {
            settings = try await client.mailboxSettings(mailbox: state.mailbox)
        } catch {
            throw Self.classify(
                error, "reading the mailbox settings of \(state.mailbox)", permission: Self.settingsPermission)
        }
        // `@odata.context` names the host and the path asked for, not the settings.
        var resource = settings
        if case .object(var members) = settings {
            members = members.filter { !$0.key.hasPrefix("@odata.context") }
            resource = .object(members)
        }
        try await publishSnapshot(
            [SnapshotState.Item(id: state.mailbox, resource: resource)], kind: .mailboxSettings, snapshot: \.settings,
            source: MailboxState.Source.settings(state.mailbox), &state, &outcome)
    }

    /// Publishes a snapshot's changes, then remembers and checkpoints the new fingerprints
    /// (only when something changed: an unchanged mailbox writes nothing).
    private func publishSnapshot(
        _ items: [SnapshotState.Item], kind: RawMailEnvelope.ResourceKind,
        snapshot: WritableKeyPath<MailboxState, SnapshotState>, source: String, _ state: inout MailboxState,
        _ outcome: inout Outcome
    ) async throws(GraphOrCollectorError) {
        let changes = state[keyPath: snapshot].changes(in: items)
        guard !changes.isEmpty else { return }
        let now = clock.now()
        let mailChanges = changes.map { change in
            MailChange(
                envelope: RawMailEnvelope(
                    tenantId: tenantId, resourceKind: kind, changeKind: change.kind, resourceId: change.id,
                    mailbox: state.mailbox, collectedAt: now, resource: change.resource),
                key: RecordKey(tenantID: tenantId, user: state.mailbox), eventTime: now)
        }
        do throws(CollectorError) {
            let result = try await output.publish(mailChanges, source: source, dedupe: &state.dedupe)
            outcome.published += result.published
            outcome.skipped += result.skipped
            state[keyPath: snapshot].apply(changes)
            try await output.writeCheckpoint(
                CollectorCheckpoint(
                    tenantId: tenantId, source: source, fingerprints: state[keyPath: snapshot].fingerprints,
                    updatedAt: now))
        } catch {
            throw .failed(error)
        }
    }

    // MARK: Errors

    private static func classify(_ error: GraphError, _ what: String, permission: String) -> GraphOrCollectorError {
        if error.code == .notFound { return .noMailbox }
        return .failed(GraphFailure.collectorError(what, error, permission: permission))
    }
}
