#if DEBUG
    import Events
    import Foundation

    @testable import Collector
    @testable import M365
    @testable import TenantSimulator

    /// One cycle of the audit collector (`AuditCollector` with `once` and `--since`) over the
    /// simulator's Management Activity API, answered in-process: every default content type is
    /// subscribed, its planned windows listed page by page, each new blob's records rendered,
    /// parsed and published, each record `Id` once per content type.
    ///
    /// Split as the collector splits it: listing and deduplicating run in order
    /// (``plan()``, ``assemble(_:_:rejected:)``), while preparing a blob's records, the expensive
    /// part, runs on every core (``BlobJob/prepare()``).
    struct AuditFeed: Sendable {
        let world: SimulatedWorld
        let now: Date
        let since: Date
        let catalog: TopicCatalog
        let api: ManagementActivityAPI

        /// What links in the simulator's answers start with; requests go to what follows it.
        static let baseURL = "http://simulated-world.invalid"
        static let stage = "collector.audit"

        init(world: SimulatedWorld, now: Date, since: Date, catalog: TopicCatalog) {
            self.world = world
            self.now = now
            self.since = since
            self.catalog = catalog
            api = ManagementActivityAPI(world: world, index: PublicationIndex(world: world), baseURL: Self.baseURL)
        }

        /// One listed blob to fetch, and what its records are published with.
        struct BlobJob: Sendable {
            let feed: AuditFeed
            /// Position of the content type in `AuditCollector.defaultContentTypes`.
            let contentType: Int
            let blob: ContentBlob
            /// `ce_source` of the content type.
            let source: String

            /// The blob's records as the collector prepares them, before its dedupe: each element
            /// parsed by `AuditRecordParser`, published or dead-lettered.
            func prepare() throws(SimulatedWorldRecordsError) -> FeedOutput {
                let tenantId = feed.world.directory.tenantId
                var output = FeedOutput()
                output.records.reserveCapacity(blob.copies.count)
                for (index, copy) in blob.copies.enumerated() {
                    // The blob's body is `[` + its elements, rendered one by one and joined by
                    // commas, + `]`: a blob of one copy renders exactly that element. Rendering
                    // them so spares splitting the whole body again (`JSONArraySplitter`).
                    var single = blob
                    single.copies = [copy]
                    let body = feed.api.render(single, state: TenantState())
                    let bytes = Array(body.dropFirst().dropLast())
                    var parsed: AuditRecordParser.ParsedRecord
                    do throws(AuditRecordParser.Problem) {
                        parsed = try AuditRecordParser().parse(bytes, expectedTenant: tenantId)
                    } catch {
                        output.rejected.append(
                            RejectedRecord(
                                stage: AuditFeed.stage, reference: "\(blob.contentId)#\(index)",
                                errorClass: error.errorClass))
                        continue
                    }
                    // As the collector's UserDirectory does, from the world's directory instead of Graph.
                    if case .objectID(let id) = parsed.key.subject,
                        let user = feed.world.directory.users.first(where: { $0.id.lowercased() == id })
                    {
                        parsed.key = RecordKey(tenantID: parsed.key.tenantID, user: user.userPrincipalName)
                    }
                    output.records.append(
                        try AuditFeed.record(
                            parsed, bytes: bytes, contentType: blob.contentType.rawValue, contentId: blob.contentId,
                            source: source, collectedAt: feed.now, topic: feed.catalog.rawAudit))
                }
                return output
            }
        }

        /// Subscribes every content type and lists its planned windows, as the collector's cycle
        /// does: the blobs to fetch, content type by content type, each in the order the
        /// collector publishes them (window by window, `contentCreated` order).
        func plan() throws(SimulatedWorldRecordsError) -> [BlobJob] {
            let tenantId = world.directory.tenantId
            var random = SeededGenerator(seed: world.configuration.seed).derived("apps")
            let roles = SimulatorApps(random: &random).collector.managementRoles
            var tenantState = TenantState()
            let feed = "/api/v1.0/\(tenantId)/activity/feed"
            func call(_ method: String, _ target: String) throws(SimulatedWorldRecordsError) -> SimResponse {
                let response = api.handle(
                    SimRequest(method: method, target: target), roles: roles, state: &tenantState, now: now)
                guard (200..<300).contains(response.status) else {
                    throw SimulatedWorldRecordsError(
                        "\(method) \(target) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))"
                    )
                }
                return response
            }
            // The client learns the server's clock from its `Date` header, which has whole seconds,
            // and never lists past it: the collector's windows end at the observed second.
            let listedUntil = M365Time.floorSecond(now)
            var jobs: [BlobJob] = []
            for (order, contentType) in AuditCollector.defaultContentTypes.enumerated() {
                let withPublisher = [("PublisherIdentifier", tenantId)]
                _ = try call(
                    "POST",
                    feed + "/subscriptions/start"
                        + URLPath.query([("contentType", contentType.rawValue)] + withPublisher))
                let source = "/inboxwatch/collector/audit/\(tenantId.keyNormalized)/\(contentType.rawValue)"
                var state = AuditSourceState(
                    tenantId: tenantId, contentType: contentType.rawValue, policy: AuditCollectionPolicy(),
                    checkpoint: nil)
                state.backfill(from: since)
                for window in state.planCycle(now: listedUntil).windows {
                    var listed: [ContentBlobReference] = []
                    var next: String? =
                        feed + "/subscriptions/content"
                        + URLPath.query(
                            [
                                ("contentType", contentType.rawValue), ("startTime", M365Time.windowTime(window.start)),
                                ("endTime", M365Time.windowTime(window.end)),
                            ] + withPublisher)
                    while let target = next {
                        let response = try call("GET", target)
                        listed += try Self.contentPage(response.body)
                        next = try response.header("NextPageUri").map(Self.relative)
                    }
                    let wanted = listed.filter { state.needsFetch(contentId: $0.contentId) }
                        .sorted { ($0.contentCreated ?? .distantPast) < ($1.contentCreated ?? .distantPast) }
                    for reference in wanted {
                        // The blob the listing's `contentUri` names. Listed blobs are younger than
                        // the 7 days after which the API answers "expired": the window plan never
                        // starts earlier.
                        guard let blob = api.index.blob(contentId: reference.contentId),
                            try Self.relative(reference.contentUri).hasSuffix("/audit/" + reference.contentId)
                        else { throw SimulatedWorldRecordsError("listed blob \(reference.contentId) does not exist") }
                        jobs.append(BlobJob(feed: self, contentType: order, blob: blob, source: source))
                        state.blobPublished(
                            contentId: reference.contentId, contentCreated: reference.contentCreated ?? now)
                    }
                    state.windowCompleted(window)
                }
            }
            return jobs
        }

        /// The prepared blobs (in ``plan()``'s order) as published: a record listed again in a
        /// later blob of its content type (Microsoft repeats some) is skipped, as the collector's
        /// dedupe memory skips it; the content types, collected side by side, interleaved by
        /// `contentCreated`, an order the collector may well publish in.
        static func assemble(_ jobs: [BlobJob], _ prepared: [FeedOutput], rejected: inout [RejectedRecord])
            -> [PublishedRecord]
        {
            var published: [Int: Set<String>] = [:]
            var blobs: [(created: Date, contentType: Int, position: Int, records: [PublishedRecord])] = []
            for (position, (job, output)) in zip(jobs, prepared).enumerated() {
                rejected += output.rejected
                let records = output.records.filter {
                    published[job.contentType, default: []].insert($0.cloudEventId).inserted
                }
                blobs.append((job.blob.contentCreated, job.contentType, position, records))
            }
            blobs.sort { ($0.created, $0.contentType, $0.position) < ($1.created, $1.contentType, $1.position) }
            return blobs.flatMap(\.records)
        }

        /// What `RecordPublisher.auditRecord` writes (it needs a live producer, so it is mirrored
        /// here; the collector tests prove the two alike): keyed by the record's subject, the
        /// record in a ``RawAuditEnvelope``, `ce_id` its `Id`, `ce_time` its `CreationTime`. The
        /// record is written as the very `bytes` it was parsed from (``RecordEncoding``), which
        /// read back as the same value.
        static func record(
            _ parsed: AuditRecordParser.ParsedRecord, bytes: [UInt8], contentType: String, contentId: String,
            source: String, collectedAt: Date, topic: String
        ) throws(SimulatedWorldRecordsError) -> PublishedRecord {
            let envelope = RawAuditEnvelope(
                tenantId: parsed.key.tenantID, contentType: contentType, contentId: contentId,
                recordId: parsed.recordId, collectedAt: collectedAt, record: .null)
            return PublishedRecord(
                topic: topic, key: parsed.key.description,
                value: try RecordEncoding.encode(envelope, member: "record", json: bytes),
                cloudEventId: EventID.raw(parsed.recordId), cloudEventSource: source,
                cloudEventType: "com.inboxwatch.raw.audit", cloudEventTime: parsed.creationTime)
        }

        /// A content listing page, read as `ManagementActivityClient.contentPage` reads it.
        static func contentPage(_ body: Data) throws(SimulatedWorldRecordsError) -> [ContentBlobReference] {
            guard let list = (try? JSONSerialization.jsonObject(with: body)) as? [Any] else {
                throw SimulatedWorldRecordsError("a content listing that is not a JSON array")
            }
            var blobs: [ContentBlobReference] = []
            for item in list {
                guard let object = item as? [String: Any], let contentUri = object["contentUri"] as? String,
                    let contentId = object["contentId"] as? String
                else { throw SimulatedWorldRecordsError("a content entry without contentUri or contentId") }
                blobs.append(
                    ContentBlobReference(
                        contentType: AuditContentType(rawValue: object["contentType"] as? String ?? ""),
                        contentId: contentId, contentUri: contentUri,
                        contentCreated: (object["contentCreated"] as? String).flatMap(M365Time.parseISO),
                        contentExpiration: (object["contentExpiration"] as? String).flatMap(M365Time.parseISO)))
            }
            return blobs
        }

        /// A link the simulator handed out, as the request target it names.
        static func relative(_ url: String) throws(SimulatedWorldRecordsError) -> String {
            guard url.hasPrefix(baseURL) else {
                throw SimulatedWorldRecordsError("\(url) is not on the simulator; a collector would not follow it")
            }
            return String(url.dropFirst(baseURL.count))
        }
    }

    /// What one unit of collection produced: raw records in publishing order, and what went to
    /// the dead-letter topic instead.
    struct FeedOutput: Sendable {
        var records: [PublishedRecord] = []
        var rejected: [RejectedRecord] = []
    }
#endif
