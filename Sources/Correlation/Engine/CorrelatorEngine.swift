public import Events
import Foundation

/// The correlator as a pure state machine: raw records in, story events and dead letters out,
/// checkpoints on request. No I/O and no clock of its own (the caller passes processing time),
/// so tests drive it with values and the Kafka loop around it stays thin.
///
/// Per input partition it keeps a ``PartitionTimeline`` (event-time order within the grace) and
/// the states of the users whose records live there. Each released event is checked against the
/// user's applied ids (duplicates and replays change nothing), judged (sign-in assessment), shown
/// to the detections that read its kind with the state as it was, folded into the state, and the
/// findings merged into the user's stories.
public struct CorrelatorEngine: Sendable {
    public var configuration: CorrelatorConfiguration
    public let rules: [DetectionRule]
    public private(set) var counters = CorrelatorCounters()

    private struct Partition: Sendable {
        let number: Int32
        var timeline: PartitionTimeline
        var users: [String: UserState]
        /// Reference data per tenant: configuration, then what this partition's input said. Each
        /// partition has its own copy (the collector broadcasts domain lists to every partition), so
        /// the result does not depend on which instance holds which partition.
        var tenants: [String: TenantContext]
        /// Released events of tenants whose accepted domains this partition has not seen yet, in
        /// order: whether forwarding is external cannot be judged before, and judging it with a
        /// guess would make the result depend on how fast each feed was read.
        var awaitingContext: [PartitionTimeline.Entry] = []
        /// When the oldest of `awaitingContext` started waiting.
        var awaitingSince: ContinuousClock.Instant?
        var dirty: Set<String> = []

        func knowsDomains(of tenant: String) -> Bool {
            !(tenants[tenant]?.acceptedDomains.isEmpty ?? true)
        }

        /// Where a replay must start: the first record still waiting, in the timeline or for context.
        func resumeOffsets() -> [RawInput.Feed: Int64] {
            var offsets = timeline.resumeOffsets()
            for entry in awaitingContext {
                offsets[entry.feed] = min(offsets[entry.feed] ?? entry.offset, entry.offset)
            }
            return offsets
        }
    }

    /// Events held for a tenant's context beyond this are applied with the fallback (the user's own domain).
    static let awaitingContextCapacity = 10_000

    private var partitions: [Int32: Partition] = [:]
    /// Commands, outcomes and verdicts read so far, by story.
    private var feedback = FeedbackTable()
    /// Which mailboxes forward where, across every instance: forwarding fan-in spans users.
    private var forwarding = ForwardingTable()
    /// Where each story of an assigned partition lives: partition and user key.
    private var storyIndex: [String: (partition: Int32, key: String)] = [:]
    private let normalizer = Normalizer()
    private let book: StoryBook

    public init(
        configuration: CorrelatorConfiguration = CorrelatorConfiguration(),
        rules: [DetectionRule] = DetectionRule.shipped
    ) {
        self.configuration = configuration
        self.rules = rules
        self.book = StoryBook(storyWindow: configuration.storyWindow, limits: configuration.limits)
    }

    public var assignedPartitions: [Int32] { partitions.keys.sorted() }

    /// Users tracked across all partitions.
    public var trackedUsers: Int { partitions.values.reduce(0) { $0 + $1.users.count } }

    /// Events waiting for the watermark across all partitions.
    public var pendingEvents: Int { partitions.values.reduce(0) { $0 + $1.timeline.pendingCount } }

    /// The state of one user, if tracked (for tests and the CLI).
    public func state(of key: String) -> UserState? {
        for partition in partitions.values { if let state = partition.users[key] { return state } }
        return nil
    }

    /// What taking a partition on asks of the caller.
    public struct Assignment: Sendable {
        /// Where each feed must be read from: the restored resume offsets.
        public var resume: [RawInput.Feed: Int64]
        /// Story events for feedback that arrived while no one here owned the partition's stories.
        public var outputs: [CorrelatorOutput]
    }

    /// Takes a partition on, with the state restored from the state topic (nil: a fresh start).
    @discardableResult
    public mutating func assign(
        _ partition: Int32, restoring checkpoint: PartitionCheckpoint?, now: ContinuousClock.Instant
    ) -> Assignment {
        let timeline: PartitionTimeline
        if let checkpoint {
            timeline = PartitionTimeline(
                grace: configuration.grace, idleAfter: configuration.idleAfter, capacity: configuration.bufferCapacity,
                startedAt: now, resuming: checkpoint.progress)
        } else {
            timeline = PartitionTimeline(
                grace: configuration.grace, idleAfter: configuration.idleAfter, capacity: configuration.bufferCapacity,
                startedAt: now)
        }
        var tenants = configuration.tenants
        for (tenant, context) in checkpoint?.progress.tenants ?? [:] {
            tenants[tenant] = Self.merged(configured: configuration.tenants[tenant], reported: context.acceptedDomains)
        }
        var restored = Partition(
            number: partition, timeline: timeline, users: checkpoint?.users ?? [:], tenants: tenants)
        var outputs: [CorrelatorOutput] = []
        for key in restored.users.keys.sorted() {
            guard var state = restored.users[key] else { continue }
            for record in state.stories { storyIndex[record.view.id] = (partition, key) }
            // Feedback that came while another instance (or none) owned this user: recorded now.
            let recorded = state.stories.flatMap { recordFeedback(for: $0.view.id, key: key, into: &state) }
            if !recorded.isEmpty {
                restored.users[key] = state
                restored.dirty.insert(key)
                outputs += recorded
            }
        }
        partitions[partition] = restored
        // Forwarding by other mailboxes that arrived while no one here owned these.
        let owned = forwarding.observations { $0.source.partition == partition }
        for observation in owned.sorted(by: Self.observationOrder) { outputs += judgeFanIn(for: observation) }
        var offsets: [RawInput.Feed: Int64] = [:]
        for (key, offset) in checkpoint?.progress.resume ?? [:] {
            if let feed = RawInput.Feed(rawValue: key) { offsets[feed] = offset }
        }
        return Assignment(resume: offsets, outputs: outputs)
    }

    /// Takes a command, outcome or verdict in; records it on its story when this instance owns
    /// the story's user, and keeps it for whoever owns the user later.
    public mutating func receive(_ feedback: StoryFeedback) -> [CorrelatorOutput] {
        counters.feedbackReceived += 1
        guard self.feedback.add(feedback), let storyId = feedback.storyId, let place = storyIndex[storyId],
            var partition = partitions.removeValue(forKey: place.partition)
        else { return [] }
        defer { partitions[place.partition] = partition }
        guard var state = partition.users[place.key] else { return [] }
        let outputs = record(feedback, key: place.key, into: &state)
        if !outputs.isEmpty {
            partition.users[place.key] = state
            partition.dirty.insert(place.key)
        }
        return outputs
    }

    /// Takes in a mailbox seen forwarding outside (read from the forwarding topic: another
    /// instance's, or this one's own read back): the mailboxes this instance owns that forward to
    /// the same address are judged again.
    public mutating func receive(_ observation: ForwardingObservation) -> [CorrelatorOutput] {
        counters.forwardingObservations += 1
        guard forwarding.add(observation) else { return [] }
        return judgeFanIn(near: observation)
    }

    /// Judges again every owned mailbox that forwards where `observation` does.
    private mutating func judgeFanIn(near observation: ForwardingObservation) -> [CorrelatorOutput] {
        let peers = forwarding.observations(tenantId: observation.tenantId, destination: observation.destination)
        var outputs: [CorrelatorOutput] = []
        for own in peers.sorted(by: Self.observationOrder)
        where own.user != observation.user && partitions[own.source.partition] != nil {
            outputs += judgeFanIn(for: own)
        }
        return outputs
    }

    /// Judges one owned mailbox's forwarding against the table, and merges the fan-in finding.
    private mutating func judgeFanIn(for own: ForwardingObservation) -> [CorrelatorOutput] {
        let number = own.source.partition
        let key = "\(own.tenantId)/\(own.user)"
        guard var partition = partitions.removeValue(forKey: number) else { return [] }
        defer { partitions[number] = partition }
        guard var state = partition.users.removeValue(forKey: key) else { return [] }
        defer { partition.users[key] = state }
        let configuration = configuration.detection(for: own.tenantId)
        let peers = forwarding.observations(tenantId: own.tenantId, destination: own.destination)
        guard let finding = ForwardingFanIn.finding(own: own, peers: peers, configuration: configuration) else {
            return []
        }
        counters.findings += 1
        let context = partition.tenants[own.tenantId] ?? TenantContext()
        let outputs = merge(
            [finding], tenantId: own.tenantId, user: own.user, key: key, partition: number, state: &state,
            context: context, configuration: configuration)
        if !outputs.isEmpty { partition.dirty.insert(key) }
        return outputs
    }

    static func observationOrder(_ lhs: ForwardingObservation, _ rhs: ForwardingObservation) -> Bool {
        (lhs.observedAt, lhs.user, lhs.source.recordId) < (rhs.observedAt, rhs.user, rhs.source.recordId)
    }

    /// Records every piece of feedback the table holds for the story.
    private mutating func recordFeedback(for storyId: String, key: String, into state: inout UserState)
        -> [CorrelatorOutput]
    {
        feedback.feedback(for: storyId).flatMap { record($0, key: key, into: &state) }
    }

    private mutating func record(_ feedback: StoryFeedback, key: String, into state: inout UserState)
        -> [CorrelatorOutput]
    {
        guard let event = book.record(feedback, into: &state), let storyId = feedback.storyId else { return [] }
        counters.feedbackRecorded += 1
        counters.storyEvents += 1
        // A severity an analyst raised can bring a story within the auto-response policy.
        return [.story(event, key: key)] + respond(to: storyId, key: key, state: &state)
    }

    /// The auto-response policy's requests for the story, recorded on it as requested.
    private mutating func respond(to storyId: String, key: String, state: inout UserState) -> [CorrelatorOutput] {
        guard !configuration.autoResponse.isOff,
            let index = state.stories.firstIndex(where: { $0.view.id == storyId })
        else { return [] }
        var record = state.stories[index]
        let requests = configuration.autoResponse.requests(for: record.view, key: key)
        guard !requests.isEmpty else { return [] }
        for request in requests {
            record.view.actions.append(
                StoryView.Action(
                    commandId: request.commandId, action: request.action, requestedBy: request.requester.label,
                    requestedAt: record.view.updatedAt))
        }
        record.view.actions.sort { ($0.requestedAt, $0.commandId) < ($1.requestedAt, $1.commandId) }
        record.sequence += 1
        state.stories[index] = record
        counters.commandsRequested += requests.count
        counters.storyEvents += 1
        let event = StoryEvent(
            storyId: storyId, sequence: record.sequence, kind: .actionRequested, occurredAt: record.view.updatedAt,
            story: record.view)
        return [.story(event, key: key)] + requests.map { .command($0) }
    }

    /// Takes one raw record in; returns what it (and whatever it released) caused.
    public mutating func receive(_ input: RawInput, now: ContinuousClock.Instant) -> [CorrelatorOutput] {
        let number = input.source.partition
        guard var partition = partitions.removeValue(forKey: number) else {
            // Not ours (a message fetched just before a revoke): it will be read by its new owner.
            return []
        }
        defer { partitions[number] = partition }
        counters.received += 1
        let event: SecurityEvent
        do {
            event = try normalizer.normalize(input)
        } catch {
            partition.timeline.skip(feed: input.feed, offset: input.source.offset, now: now)
            counters.deadLettered += 1
            return [.deadLetter(input, error)]
                + apply(partition.timeline.tick(now: now), to: &partition, now: now)
        }
        if event.kind == .acceptedDomains, let domains = event.domains {
            // Reference data is a table, not an event in time: it applies from when it is read, so
            // rules older than the list (audit records lag) are judged with it too.
            partition.tenants[event.tenantId] = Self.merged(
                configured: configuration.tenants[event.tenantId], reported: Set(domains))
            let held = partition.awaitingContext.filter { $0.event.tenantId == event.tenantId }
            partition.awaitingContext.removeAll { $0.event.tenantId == event.tenantId }
            if partition.awaitingContext.isEmpty { partition.awaitingSince = nil }
            let outputs = apply(held, to: &partition, now: now)
            return outputs
                + apply(
                    partition.timeline.admit(event, feed: input.feed, offset: input.source.offset, now: now),
                    to: &partition, now: now)
        }
        let key = Self.key(event)
        if let state = partition.users[key],
            input.source.offset < state.covers[input.feed.rawValue] ?? 0 || state.hasApplied(event.id)
        {
            counters.duplicates += 1
            partition.timeline.skip(feed: input.feed, offset: input.source.offset, now: now)
            return apply(partition.timeline.tick(now: now), to: &partition, now: now)
        }
        return apply(
            partition.timeline.admit(event, feed: input.feed, offset: input.source.offset, now: now), to: &partition,
            now: now)
    }

    /// Lets idle feeds release what they hold back; call when no input arrived for a while.
    public mutating func tick(now: ContinuousClock.Instant) -> [CorrelatorOutput] {
        var outputs: [CorrelatorOutput] = []
        for number in partitions.keys.sorted() {
            guard var partition = partitions.removeValue(forKey: number) else { continue }
            outputs += apply(partition.timeline.tick(now: now), to: &partition, now: now)
            if let since = partition.awaitingSince, now - since >= configuration.contextWait {
                outputs += applyAwaitingContext(&partition)
            }
            partitions[number] = partition
        }
        return outputs
    }

    /// Applies everything still waiting, whatever the watermark: the end of a bounded input.
    public mutating func drain() -> [CorrelatorOutput] {
        var outputs: [CorrelatorOutput] = []
        for number in partitions.keys.sorted() {
            guard var partition = partitions.removeValue(forKey: number) else { continue }
            // Nothing more is coming: what waits for a domain list is judged without it.
            outputs += applyAwaitingContext(&partition)
            outputs += apply(partition.timeline.drain(), to: &partition, now: .now)
            outputs += applyAwaitingContext(&partition)
            partitions[number] = partition
        }
        return outputs
    }

    /// The partition's changed users and position, and forgets that they changed: the caller
    /// writes it to the state topic once the story events before it are acknowledged.
    public mutating func checkpoint(_ number: Int32) -> PartitionCheckpoint? {
        // Taken out while it changes, so that the users' table is not copied.
        guard var partition = partitions.removeValue(forKey: number) else { return nil }
        let resume = partition.resumeOffsets()
        var users: [String: UserState] = [:]
        for key in partition.dirty {
            guard var state = partition.users.removeValue(forKey: key) else { continue }
            // Records of this user from here on may not be reflected (they may be waiting in the
            // timeline); the applied ids tell which of them are.
            for (feed, offset) in resume { state.covers[feed.rawValue] = offset }
            partition.users[key] = state
            users[key] = state
        }
        partition.dirty.removeAll()
        partitions[number] = partition
        var latest: [String: Date] = [:]
        for (feed, time) in partition.timeline.latest { latest[feed.rawValue] = time }
        let progress = PartitionCheckpoint.Progress(
            resume: Dictionary(uniqueKeysWithValues: resume.map { ($0.key.rawValue, $0.value) }),
            watermark: partition.timeline.watermark, latestTimes: latest,
            tenants: partition.tenants.filter { !$0.value.acceptedDomains.isEmpty })
        return PartitionCheckpoint(partition: number, progress: progress, users: users)
    }

    /// Gives a partition up: its last checkpoint, then it is forgotten.
    public mutating func revoke(_ number: Int32) -> PartitionCheckpoint? {
        defer {
            partitions[number] = nil
            storyIndex = storyIndex.filter { $0.value.partition != number }
        }
        return checkpoint(number)
    }

    private mutating func apply(
        _ entries: [PartitionTimeline.Entry], to partition: inout Partition, now: ContinuousClock.Instant
    ) -> [CorrelatorOutput] {
        var outputs: [CorrelatorOutput] = []
        for entry in entries {
            let tenant = entry.event.tenantId
            if !partition.knowsDomains(of: tenant) && entry.event.kind != .generic {
                if partition.awaitingContext.isEmpty { partition.awaitingSince = now }
                partition.awaitingContext.append(entry)
                if partition.awaitingContext.count > Self.awaitingContextCapacity {
                    outputs += apply(partition.awaitingContext.removeFirst(), to: &partition)
                }
                continue
            }
            outputs += apply(entry, to: &partition)
        }
        return outputs
    }

    /// Applies what waited for a tenant's context without it: the input went quiet and no domain
    /// list came, so the user's own domain stands in for the tenant's.
    private mutating func applyAwaitingContext(_ partition: inout Partition) -> [CorrelatorOutput] {
        let held = partition.awaitingContext
        partition.awaitingContext.removeAll()
        partition.awaitingSince = nil
        var outputs: [CorrelatorOutput] = []
        for entry in held { outputs += apply(entry, to: &partition) }
        return outputs
    }

    private mutating func apply(_ entry: PartitionTimeline.Entry, to partition: inout Partition) -> [CorrelatorOutput] {
        let event = entry.event
        guard event.kind != .generic && event.kind != .acceptedDomains else {
            counters.generic += event.kind == .generic ? 1 : 0
            return []
        }
        let key = Self.key(event)
        if let state = partition.users[key], state.hasApplied(event.id) {
            counters.duplicates += 1
            return []
        }
        // Taken out of the table while it changes: a copy left behind would make every append
        // to its lists (the applied ids above all) copy the whole list.
        var state = partition.users.removeValue(forKey: key) ?? UserState()
        defer { partition.users[key] = state }
        if entry.isLate { counters.late += 1 }
        counters.applied += 1
        let context = partition.tenants[event.tenantId] ?? TenantContext()
        let configuration = configuration.detection(for: event.tenantId)
        let assessment = SignInAssessment.assess(event, state: state, configuration: configuration)
        // Forwarding outside is also news for every instance's fan-in table.
        let observations = ForwardingFanIn.observations(of: event, context: context)
        var findings: [Finding] = []
        do {
            var peers: [ForwardingObservation] = []
            for observation in observations {
                peers += forwarding.observations(tenantId: observation.tenantId, destination: observation.destination)
            }
            let input = DetectionRule.Input(
                event: event, assessment: assessment, state: state, context: context, configuration: configuration,
                forwardingPeers: peers)
            for rule in rules where rule.reads.contains(event.kind) {
                findings += rule.evaluate(input)
            }
        }
        state.apply(
            event, assessment: assessment, context: context, configuration: configuration,
            limits: self.configuration.limits)
        state.markApplied(event, limits: self.configuration.limits)
        counters.findings += findings.count
        var outputs = merge(
            findings, tenantId: event.tenantId, user: event.user, key: key, partition: partition.number,
            state: &state, context: context, configuration: configuration)
        partition.dirty.insert(key)
        for observation in observations where forwarding.add(observation) {
            outputs.append(.forwarding(observation))
            // Put back first: the mailboxes judged again may live in this very partition.
            partition.users[key] = state
            partitions[partition.number] = partition
            outputs += judgeFanIn(near: observation)
            partition = partitions.removeValue(forKey: partition.number) ?? partition
            state = partition.users.removeValue(forKey: key) ?? state
        }
        return outputs
    }

    /// Merges findings into the user's stories, those that join open stories last (so an alert
    /// joins the story its own event just opened); suppressed ones are reported, not raised.
    private mutating func merge(
        _ findings: [Finding], tenantId: String, user: String, key: String, partition: Int32,
        state: inout UserState, context: TenantContext, configuration: DetectionConfiguration
    ) -> [CorrelatorOutput] {
        var outputs: [CorrelatorOutput] = []
        let isVIP = context.vipUsers.contains(user.lowercased()) || configuration.isVIP(user, profile: state.profile)
        for finding in findings.filter({ !$0.joinsOpenStory }) + findings.filter(\.joinsOpenStory) {
            let time = finding.events.map(\.time).max() ?? finding.anchor.time
            if let reason = configuration.suppression(of: finding, user: user, at: time) {
                counters.suppressed += 1
                outputs.append(
                    .suppressed(
                        SuppressedFinding(
                            tenantId: tenantId, user: user, detection: finding.detection, title: finding.title,
                            reason: reason, recordId: finding.anchor.id, time: time)))
                continue
            }
            guard let story = book.merge(finding, tenantId: tenantId, user: user, into: &state, isVIP: isVIP) else {
                continue
            }
            outputs.append(.story(story, key: key))
            counters.storyEvents += 1
            if story.kind == .opened {
                storyIndex[story.storyId] = (partition, key)
                outputs += recordFeedback(for: story.storyId, key: key, into: &state)
            }
            outputs += respond(to: story.storyId, key: key, state: &state)
            if finding.detection == .accountTakeover {
                let closed = book.closeMerged(into: story.storyId, state: &state)
                counters.storyEvents += closed.count
                outputs += closed.map { .story($0, key: key) }
            }
        }
        return outputs
    }

    /// A tenant's context: the configured one, with the domains the tenant itself lists.
    static func merged(configured: TenantContext?, reported: Set<String>) -> TenantContext {
        var context = configured ?? TenantContext()
        context.acceptedDomains = (configured?.acceptedDomains ?? []).union(reported.map { $0.lowercased() })
        return context
    }

    static func key(_ event: SecurityEvent) -> String { "\(event.tenantId)/\(event.user)" }
}
