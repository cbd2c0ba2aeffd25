import Events
import Foundation
import Logging
import M365

/// Collects every in-scope mailbox each cycle, a few at a time: lists the users, keeps those
/// whose domain is in scope, and runs a ``MailboxCollector`` on each. A mailbox that fails is
/// skipped for this cycle (its checkpoints untouched) while the others go on; the cycle then
/// fails with a summary, so the source shows degraded (or unhealthy when a permission is missing).
struct MailboxesCollector: Sendable {
    let client: GraphClient
    let output: MailOutput
    let scope: MailboxScope
    let policy: MailCollectionPolicy
    let backfillFrom: Date?
    let dedupeHorizon: TimeInterval
    let dedupeCapacity: Int
    let progress: CollectionProgressSink

    /// The health source of all mailboxes.
    static let source = "mail/mailboxes"

    /// What the collector keeps between cycles: each mailbox's state, and what a mailbox that
    /// comes into scope later is restored from.
    struct State: Sendable {
        var checkpoints: CollectorLease.Checkpoints
        var published: PublishedRecordReader.PublishedIDs
        var mailboxes: [String: MailboxState] = [:]
    }

    func runCycle(_ state: inout State) async throws(CollectorError) {
        var progress = CollectionProgress(source: Self.source, startedAt: output.clock.now())
        let users: [GraphItem]
        do {
            users = try await client.users(select: ["id", "userPrincipalName"])
        } catch {
            throw GraphFailure.collectorError(
                "listing users to find the mailboxes in scope", error, permission: UserProfileCollector.permission)
        }
        let inScope = scope.mailboxes(in: users)
        var pending = inScope.map { mailbox in state.mailboxes[mailbox] ?? restore(mailbox, from: state) }[...]
        // Mailboxes that left the scope are forgotten; their checkpoints stay for a return.
        state.mailboxes = [:]
        progress.windowsTotal = inScope.count
        var failures: [(mailbox: String, error: CollectorError)] = []
        let collector = MailboxCollector(client: client, output: output, backfillFrom: backfillFrom)
        await withTaskGroup(of: (MailboxState, MailboxCollector.Outcome).self) { group in
            func startNext() {
                guard let next = pending.popFirst() else { return }
                group.addTask {
                    var mailbox = next
                    let outcome = await collector.collect(&mailbox)
                    return (mailbox, outcome)
                }
            }
            for _ in 0..<policy.mailboxConcurrency { startNext() }
            while let (mailbox, outcome) = await group.next() {
                state.mailboxes[mailbox.mailbox] = mailbox
                failures += outcome.failures.map { (mailbox: mailbox.mailbox, error: $0) }
                progress.recordsPublished += outcome.published
                progress.duplicatesSkipped += outcome.skipped
                progress.windowsDone += 1
                progress.now = output.clock.now()
                self.progress(progress)
                startNext()
            }
        }
        // Not started (cancelled): kept as they were, never restored from older checkpoints.
        for mailbox in pending { state.mailboxes[mailbox.mailbox] = mailbox }
        guard !failures.isEmpty else { return }
        throw summary(failures, of: inScope.count)
    }

    private func restore(_ mailbox: String, from state: State) -> MailboxState {
        var dedupe = RecordDeduplicator(horizon: dedupeHorizon, capacity: dedupeCapacity)
        for source in MailboxState.Source.all(mailbox) {
            for entry in state.published[output.sourceURI(source)] ?? [] { dedupe.insert(entry.id, at: entry.at) }
        }
        return MailboxState(
            mailbox: mailbox, tenantId: output.tenantId, policy: policy, checkpoints: state.checkpoints,
            dedupe: dedupe)
    }

    /// One error for the cycle: unhealthy if any mailbox lacks a permission or credentials
    /// were refused, retriable only if every failure is.
    private func summary(_ failures: [(mailbox: String, error: CollectorError)], of total: Int) -> CollectorError {
        let blocking = failures.first {
            $0.error.code == .missingPermission || $0.error.code == .credentialsRejected
        }
        let examples = failures.prefix(3).map { "\($0.mailbox): \($0.error.message)" }.joined(separator: "; ")
        let mailboxes = Set(failures.map(\.mailbox)).count
        return CollectorError(
            code: blocking?.error.code ?? .sourceFailed,
            message: "\(mailboxes) of \(total) mailboxes failed this cycle; \(examples)",
            isRetriable: failures.allSatisfy(\.error.isRetriable))
    }
}
