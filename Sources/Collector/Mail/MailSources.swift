import Events
import Foundation
import M365

/// The sources of one tenant's mail collector, each restored from its checkpoints and from the
/// ids read back from the raw topic, ready to run in its own loop.
struct MailSources: Sendable {
    let client: GraphClient
    let output: MailOutput
    let settings: MailCollector.Settings
    let checkpoints: CollectorLease.Checkpoints
    let published: PublishedRecordReader.PublishedIDs
    let progress: CollectionProgressSink

    /// One source: its health name and how to run its loop.
    struct Source: Sendable {
        let name: String
        let run: @Sendable (MailSourceLoop) async -> CollectorError?
    }

    func all() -> [Source] {
        var sources = settings.windowSources.map(window)
        sources += [users(), domains()]
        if !settings.scope.isEmpty { sources.append(mailboxes()) }
        if let reportMailbox = settings.reportMailbox { sources.append(reports(reportMailbox.keyNormalized)) }
        return sources
    }

    /// A dedupe memory holding what the given checkpoint sources published within the horizon.
    private func dedupe(_ sources: [String]) -> RecordDeduplicator {
        var dedupe = RecordDeduplicator(horizon: settings.dedupeHorizon, capacity: settings.dedupeCapacity)
        for source in sources {
            for entry in published[output.sourceURI(source)] ?? [] { dedupe.insert(entry.id, at: entry.at) }
        }
        return dedupe
    }

    private func window(_ kind: MailWindowSource) -> Source {
        var state = MailWindowState(
            tenantId: output.tenantId, kind: kind, policy: settings.policy,
            checkpoint: checkpoints[kind.checkpointSource])
        if let since = settings.backfillFrom { state.backfill(from: since) }
        let initial = (window: state, dedupe: dedupe([kind.checkpointSource]))
        let collector = MailWindowCollector(client: client, kind: kind, output: output, progress: progress)
        return Source(name: kind.checkpointSource) { loop in
            await loop.run(initial) { current throws(CollectorError) in
                try await collector.runCycle(state: &current.window, dedupe: &current.dedupe)
            }
        }
    }

    private func users() -> Source {
        let initial = UserProfileCollector.State(
            checkpoints: checkpoints, dedupe: dedupe([UserProfileCollector.source]))
        let collector = UserProfileCollector(client: client, output: output, progress: progress)
        return Source(name: UserProfileCollector.source) { loop in
            await loop.run(initial) { state throws(CollectorError) in try await collector.runCycle(&state) }
        }
    }

    private func domains() -> Source {
        let source = AcceptedDomainsCollector.source
        let initial = AcceptedDomainsCollector.State(
            snapshot: SnapshotState(fingerprints: checkpoints[source]?.fingerprints), dedupe: dedupe([source]))
        let collector = AcceptedDomainsCollector(client: client, output: output)
        return Source(name: source) { loop in
            await loop.run(initial) { state throws(CollectorError) in try await collector.runCycle(&state) }
        }
    }

    private func mailboxes() -> Source {
        let initial = MailboxesCollector.State(checkpoints: checkpoints, published: published)
        let collector = MailboxesCollector(
            client: client, output: output, scope: settings.scope, policy: settings.policy,
            backfillFrom: settings.backfillFrom, dedupeHorizon: settings.dedupeHorizon,
            dedupeCapacity: settings.dedupeCapacity, progress: progress)
        return Source(name: MailboxesCollector.source) { loop in
            await loop.run(initial) { state throws(CollectorError) in try await collector.runCycle(&state) }
        }
    }

    private func reports(_ mailbox: String) -> Source {
        let source = ReportMailboxCollector.source(mailbox)
        let initial = ReportMailboxCollector.State(
            delta: MessageDeltaState(
                tenantId: output.tenantId, source: source, policy: settings.policy, checkpoint: checkpoints[source]),
            dedupe: dedupe([source]))
        let collector = ReportMailboxCollector(
            client: client, mailbox: mailbox, output: output, backfillFrom: settings.backfillFrom, progress: progress)
        return Source(name: source) { loop in
            await loop.run(initial) { state throws(CollectorError) in try await collector.runCycle(&state) }
        }
    }
}
