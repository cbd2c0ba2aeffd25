// Built only where the modules it reads are compiled for testing (`@testable import` in the
// files next to this one): a release build of the package still builds this target, and would
// otherwise fail on them.
#if DEBUG
    import Dispatch
    public import Events
    public import Foundation
    public import TenantSimulator

    /// One record as a collector hands it to Kafka: topic, key, value and the CloudEvents
    /// headers, as plain values (no Kafka types), so tests of any module can feed it to what
    /// they test or compare it with what a topic holds.
    public struct PublishedRecord: Sendable, Hashable {
        public var topic: String
        /// The partition the collector names; nil when Kafka's partitioner places the record by
        /// its key, as it does every raw record but the broadcast `domainList`.
        public var partition: Int32?
        public var key: String
        public var value: [UInt8]
        /// `ce_id`.
        public var cloudEventId: String
        /// `ce_source`: which collector source published it.
        public var cloudEventSource: String
        /// `ce_type`: `com.inboxwatch.raw.audit`, `com.inboxwatch.raw.mail.signIn`, ...
        public var cloudEventType: String
        /// `ce_time`: the record's event time.
        public var cloudEventTime: Date

        public init(
            topic: String, partition: Int32? = nil, key: String, value: [UInt8], cloudEventId: String,
            cloudEventSource: String, cloudEventType: String, cloudEventTime: Date
        ) {
            self.topic = topic
            self.partition = partition
            self.key = key
            self.value = value
            self.cloudEventId = cloudEventId
            self.cloudEventSource = cloudEventSource
            self.cloudEventType = cloudEventType
            self.cloudEventTime = cloudEventTime
        }
    }

    /// Something a collector would send to the dead-letter topic instead of a raw topic (a
    /// malformed audit record, a report without its original), so a test can count what a
    /// world's faults cost.
    public struct RejectedRecord: Sendable, Hashable {
        /// `collector.audit` or `collector.mail`, the dead letter's `stage`.
        public var stage: String
        /// Where it was found: `<contentId>#<index>` for an audit element, the Graph id for a resource.
        public var reference: String
        /// The dead letter's `errorClass` (`missingId`, `reportWithoutOriginal`, ...).
        public var errorClass: String

        public init(stage: String, reference: String, errorClass: String) {
            self.stage = stage
            self.reference = reference
            self.errorClass = errorClass
        }
    }

    /// The raw records the audit and the mail collector would publish for a ``SimulatedWorld``
    /// observed at one moment, built in-process: no HTTP, no Kafka, no lease or consumer group,
    /// so a world of hundreds of users and 100k+ events can feed a test.
    ///
    /// It answers the collectors' requests with the simulator's own API code
    /// (``ManagementActivityAPI``, ``GraphAPI``: their handlers, or for the bulk of the items
    /// the listing and rendering functions those handlers use), and turns the answers into
    /// records with the collectors' own parsers, state values and change builders
    /// (`AuditRecordParser`, `AuditSourceState`, `MailWindowItem`, `MessageDeltaState`,
    /// `SnapshotState`, `UserReportParser`, ...). What it writes itself mirrors the collectors'
    /// loops: one cycle of every source, as a collector started with `once` and `--since` runs
    /// over a manual clock. `CollectorTests` proves that the result is what the real collectors
    /// publish for the same world.
    ///
    /// A world of 500 users over 80 hours (about 100k audit records and 90k Graph items) takes
    /// 35 to 40 s in a debug build on two cores, besides the 7 s of building the world. Most of
    /// it is the collectors' and the simulator's own code, unoptimised: rendering, the audit
    /// parser, hashing `ce_id`s, encoding envelopes.
    ///
    /// Collected as a mail collector configured with every accepted domain of the directory
    /// (`mailDomains`) and the directory's report mailbox, with default policies.
    public struct SimulatedWorldRecords: Sendable {
        /// For `inboxwatch.raw.audit`: each audit record once (duplicates skipped as the
        /// collector's dedupe does), blob by blob in `contentCreated` order, content types interleaved.
        public var audit: [PublishedRecord]
        /// For `inboxwatch.raw.mail`, source by source: sign-ins, risky users, threat submissions,
        /// alerts, user profiles, the domain list (one copy per keyed partition), each mailbox
        /// (messages, inbox rules, settings), user reports.
        public var mail: [PublishedRecord]
        /// What the collectors would dead-letter instead.
        public var rejected: [RejectedRecord]

        /// - Parameters:
        ///   - observedAt: the collectors' (and the simulator's) clock: only what the tenant has
        ///     published by then is collected, and it is every envelope's `collectedAt`.
        ///   - collectingSince: the collectors' `--since` (`backfillFrom`); the world's start by default.
        ///   - catalog: topic names, and how many partitions the domain list is broadcast to.
        public init(
            world: SimulatedWorld, observedAt: Date, collectingSince: Date? = nil,
            catalog: TopicCatalog = TopicCatalog()
        ) throws(SimulatedWorldRecordsError) {
            let since = collectingSince ?? world.configuration.start
            let auditFeed = AuditFeed(world: world, now: observedAt, since: since, catalog: catalog)
            let blobs = try auditFeed.plan()
            let mailFeed = MailFeed(world: world, now: observedAt, since: since, catalog: catalog)
            let mailJobs = try mailFeed.jobs()
            // Every blob and every mail source on every core: in a debug build the rendering,
            // parsing and encoding of a big world take minutes on one. The mail sources go first:
            // the sign-ins are the longest single job.
            let outputs = try Parallel.map(mailJobs.count + blobs.count) { (index) throws(SimulatedWorldRecordsError) in
                index < mailJobs.count
                    ? try mailFeed.run(mailJobs[index]) : try blobs[index - mailJobs.count].prepare()
            }
            var rejected: [RejectedRecord] = []
            audit = AuditFeed.assemble(blobs, Array(outputs[mailJobs.count...]), rejected: &rejected)
            mail = outputs[..<mailJobs.count].flatMap(\.records)
            rejected += outputs[..<mailJobs.count].flatMap(\.rejected)
            self.rejected = rejected
        }

        /// ``init(world:observedAt:collectingSince:catalog:)`` run on Dispatch's threads rather
        /// than on one of Swift concurrency's few cooperative threads, which a big world would
        /// hold for half a minute while the other tests of the process wait for it.
        public static func build(
            world: SimulatedWorld, observedAt: Date, collectingSince: Date? = nil,
            catalog: TopicCatalog = TopicCatalog()
        ) async throws(SimulatedWorldRecordsError) -> SimulatedWorldRecords {
            let result = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(
                        returning: Result { () throws(SimulatedWorldRecordsError) in
                            try SimulatedWorldRecords(
                                world: world, observedAt: observedAt, collectingSince: collectingSince, catalog: catalog
                            )
                        })
                }
            }
            return try result.get()
        }
    }

    /// A simulator answer the collectors would not have got from a healthy simulator (an error
    /// status, a body that is not what the API documents): the world cannot be collected.
    public struct SimulatedWorldRecordsError: Error, Sendable, CustomStringConvertible {
        public var description: String

        public init(_ description: String) { self.description = description }
    }
#endif
