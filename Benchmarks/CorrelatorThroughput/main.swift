// Throughput and latency of the correlator from the raw topics to story events, against the raw
// consume rate of our Kafka consumer over the same records on the same broker, in the same run.
//
//   swift run -c release CorrelatorThroughput --records 200000 --users 20000 --runs 3
//
// Records are realistic 1-2 KB envelopes: audit mail-item records (generic), Graph sign-ins,
// internal inbox rules, and for a few users a rule that forwards outside (each opens a story).
// Phase 1 (backlog): the records are produced first, then read once by a plain consumer (the raw
// limit) and once by a correlator; both clocks stop at the last record (the correlator's when its
// checkpoints cover every record). Phase 2 (live): records are produced at a steady rate with
// event time = now while a correlator runs with a 1 s grace; each story event's latency is its
// Kafka timestamp minus that of the raw record that triggered it. Memory per tracked user: the
// average state snapshot, and the process's resident memory growth per user.

import ArgumentParser
import Correlation
import Events
import Foundation
import Kafka
import Logging

#if canImport(Glibc)
    import Glibc
#endif

@main
struct CorrelatorThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events/s and latency of the correlator from raw topics to stories, against the raw consume rate.")

    @Option(help: "Records per backlog run.") var records = 200_000
    @Option(help: "Distinct users.") var users = 20_000
    @Option(help: "Users whose forwarding rule goes outside the tenant (each opens a story).") var attacked = 400
    @Option(help: "Measured backlog runs, each on fresh topics; the report shows the median.") var runs = 3
    @Option(help: "Records produced per second in the live phase.") var liveRate = 5_000
    @Option(help: "Seconds of the live phase.") var liveSeconds = 20
    @Option(help: "Partitions of the keyed topics (the embedded broker keeps only ~5 MiB per partition).")
    var partitions: Int32 = 64

    @Flag(help: "Only time the normalizer and the engine on generated records, without Kafka.")
    var engineOnly = false

    /// The engine's own cost, without Kafka: normalizing alone, then the whole engine.
    func engineOnlyRates() -> (normalize: Double, engine: Double, checkpoint: Double) {
        let catalog = TopicCatalog(prefix: "engine", keyedPartitions: partitions)
        let generator = RecordGenerator(tenant: "bench-tenant", users: users, attacked: attacked, catalog: catalog)
        let records = generator.records(
            count: records, start: Date(timeIntervalSince1970: 1_795_132_800), spacing: 0.01)
        var offsets: [String: Int64] = [:]
        let inputs = records.map { record in
            let id = record.headers.last(named: "ce_id")?.stringValue
            let topicPartition = "\(record.topic)/\(record.partition ?? 0)"
            let offset = offsets[topicPartition, default: 0]
            offsets[topicPartition] = offset + 1
            return RawInput(
                feed: record.topic == catalog.rawAudit ? .audit : .mail,
                key: String(decoding: record.key ?? [], as: UTF8.self),
                value: record.value ?? [], cloudEventId: id,
                source: SourceReference(
                    topic: record.topic, partition: record.partition ?? 0, offset: offset, recordId: id ?? ""))
        }
        var clock = ContinuousClock.now
        let bounded = BoundedJSONDecoder()
        var decoded = 0
        for input in inputs where input.feed == .audit {
            if (try? bounded.decodeValue(RawAuditEnvelope.self, from: input.value)) != nil { decoded += 1 }
        }
        let audits = inputs.filter { $0.feed == .audit }.count
        print(
            "envelope decoding alone: \(Int(Double(audits) / (ContinuousClock.now - clock).secondsValue)) audit envelopes/s"
        )
        clock = .now
        for input in inputs where input.feed == .audit { try? JSONLimits.standard.check(input.value) }
        print("limits check alone: \(Int(Double(audits) / (ContinuousClock.now - clock).secondsValue)) records/s")
        let normalizer = Normalizer()
        clock = ContinuousClock.now
        var kinds = 0
        for input in inputs { if (try? normalizer.normalize(input)) != nil { kinds += 1 } }
        let normalize = Double(inputs.count) / (ContinuousClock.now - clock).secondsValue
        var engine = CorrelatorEngine(
            configuration: CorrelatorConfiguration(
                grace: .seconds(600), tenants: ["bench-tenant": TenantContext(acceptedDomains: ["contoso.com"])]))
        let now = ContinuousClock.now
        for partition in 0..<partitions { engine.assign(partition, restoring: nil, now: now) }
        clock = .now
        var stories = 0
        for input in inputs { stories += engine.receive(input, now: now).count }
        stories += engine.drain().count
        let rate = Double(inputs.count) / (ContinuousClock.now - clock).secondsValue
        clock = .now
        let codec = StateCodec(feedTopics: [.audit: catalog.rawAudit, .mail: catalog.rawMail])
        var snapshots = 0
        for partition in 0..<partitions {
            if let checkpoint = engine.checkpoint(partition) {
                snapshots += (try? codec.snapshots(of: checkpoint, at: Date()).count) ?? 0
            }
        }
        let checkpoint = Double(snapshots) / (ContinuousClock.now - clock).secondsValue
        precondition(kinds == inputs.count && stories > 0)
        return (normalize, rate, checkpoint)
    }

    func run() async throws {
        if engineOnly {
            let rates = engineOnlyRates()
            print(
                "normalizer \(Int(rates.normalize)) records/s, engine \(Int(rates.engine)) events/s, checkpoint \(Int(rates.checkpoint)) user snapshots/s"
            )
            return
        }
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let broker = try EmbeddedKafka(logger: quiet)
        let kafka = KafkaConfiguration(
            bootstrapServers: broker.bootstrapServers,
            properties: ["queued.min.messages": "1000000", "queued.max.messages.kbytes": "1048576"])
        let tenant = "bench-tenant"
        var raw: [Double] = []
        var correlated: [Double] = []
        var snapshotBytesPerUser = 0.0
        var rssPerUser = 0.0
        for run in 0..<runs {
            let catalog = TopicCatalog(prefix: "bench\(run)", keyedPartitions: partitions)
            for spec in catalog.specs { try broker.createTopic(spec) }
            let generator = RecordGenerator(tenant: tenant, users: users, attacked: attacked, catalog: catalog)
            let batch = generator.records(
                count: records, start: Date(timeIntervalSince1970: 1_795_132_800), spacing: 0.01)
            let bytes = batch.reduce(0) { $0 + ($1.value?.count ?? 0) }
            try await produce(batch, kafka: kafka)
            raw.append(try await rawConsumeRate(catalog: catalog, kafka: kafka, expected: batch.count))
            let rssBefore = residentBytes()
            let (rate, users) = try await correlatorRate(catalog: catalog, kafka: kafka, expected: batch, logger: quiet)
            correlated.append(rate)
            rssPerUser = Double(residentBytes() - rssBefore) / Double(max(users, 1))
            snapshotBytesPerUser = try await averageSnapshotBytes(catalog: catalog, kafka: kafka)
            print(
                "run \(run + 1): \(batch.count) records (\(bytes / batch.count) B average), raw consume \(Int(raw.last!)) records/s, correlator \(Int(rate)) events/s (\(percent(rate, raw.last!)) of raw), \(users) users tracked"
            )
        }
        let live = try await liveLatency(broker: broker, kafka: kafka, tenant: tenant, logger: quiet)
        let rawMedian = median(raw)
        let correlatedMedian = median(correlated)
        print(
            """

            | measure | value |
            |---|---:|
            | raw consume, our KafkaConsumer (median of \(runs)) | \(Int(rawMedian)) records/s |
            | correlator, raw topics → story events (median of \(runs)) | \(Int(correlatedMedian)) events/s |
            | correlator % of raw | \(percent(correlatedMedian, rawMedian)) |
            | live: story latency p50 / p99 (\(live.count) story events, grace 1 s) | \(milliseconds(live, 0.5)) / \(milliseconds(live, 0.99)) ms |
            | state snapshot per tracked user (average) | \(Int(snapshotBytesPerUser)) B |
            | resident memory growth per tracked user | \(Int(rssPerUser)) B |
            """)
    }

    func percent(_ part: Double, _ whole: Double) -> String { "\(Int((part / whole * 100).rounded()))%" }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    func milliseconds(_ latencies: [Double], _ quantile: Double) -> String {
        guard !latencies.isEmpty else { return "n/a" }
        let sorted = latencies.sorted()
        return String(Int(sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))] * 1000))
    }

    func produce(_ records: [KafkaProducerRecord], kafka: KafkaConfiguration) async throws {
        let producer = try KafkaProducer(configuration: kafka)
        for start in stride(from: 0, to: records.count, by: 50_000) {
            _ = try await producer.send(contentsOf: Array(records[start..<min(start + 50_000, records.count)]))
        }
        await producer.close()
    }

    /// The raw limit: a plain consumer group reading both raw topics, touching each value.
    func rawConsumeRate(catalog: TopicCatalog, kafka: KafkaConfiguration, expected: Int) async throws -> Double {
        let consumer = try KafkaConsumer(
            configuration: kafka, groupID: "raw-\(UUID().uuidString)", topics: [catalog.rawAudit, catalog.rawMail],
            maxBatch: 1024)
        var count = 0
        var checksum = 0
        var started: ContinuousClock.Instant?
        for try await event in consumer.events {
            guard case .message(let message) = event else { continue }
            started = started ?? .now
            checksum &+= message.withUnsafeValue { $0?.count ?? 0 }
            count += 1
            if count == expected { break }
        }
        let elapsed = ContinuousClock.now - (started ?? .now)
        await consumer.close()
        precondition(checksum > 0)
        return Double(count) / elapsed.secondsValue
    }

    /// A correlator from the first record to checkpoints covering every record.
    func correlatorRate(
        catalog: TopicCatalog, kafka: KafkaConfiguration, expected: [KafkaProducerRecord], logger: Logger
    ) async throws -> (Double, Int) {
        var ends: [Int32: Int64] = [:]
        let settings = CorrelatorSettings(
            // The product's default checkpoint interval: every checkpoint snapshots each user
            // changed since the last, so a shorter one measures snapshot encoding more than the engine.
            kafka: kafka, catalog: catalog, groupID: "correlator-\(UUID().uuidString)",
            checkpointInterval: .seconds(5),
            engine: CorrelatorConfiguration(
                grace: .seconds(600), idleAfter: .milliseconds(300),
                tenants: ["bench-tenant": TenantContext(acceptedDomains: ["contoso.com"])]))
        for record in expected { ends[record.partition ?? -1, default: 0] += 1 }

        // The clock starts when the group has given the correlator its partitions, as the raw
        // consumer's starts at its first record: neither counts the group join (~3 s here). It
        // stops at the checkpoint whose progress report has every record received and none
        // waiting: its snapshots cover them all. (Polling the state topic for that, as this
        // benchmark first did, read it whole ten times a second and slowed the correlator.)
        let watch = CorrelatorWatch(records: expected.count)
        var watching = Logger(label: "bench.correlator") { _ in watch }
        watching.logLevel = .info
        let correlator = Correlator(settings: settings, logger: watching)
        let running = Task { try await correlator.run() }
        let launched = ContinuousClock.now
        while watch.finished == nil { try await Task.sleep(for: .milliseconds(20)) }
        let elapsed = (watch.finished ?? .now) - (watch.assigned ?? launched)
        running.cancel()
        try await running.value
        // The state topic says the same: every partition's marker covers all its records.
        let progress = try await markers(catalog: catalog, kafka: kafka)
        for partition in 0..<catalog.keyedPartitions {
            let covered = progress[partition].map { $0.resume.values.reduce(0, +) } ?? 0
            precondition(covered >= ends[partition, default: 0], "partition \(partition) not covered")
        }
        let users = try await trackedUsers(catalog: catalog, kafka: kafka)
        return (Double(expected.count) / elapsed.secondsValue, users)
    }

    func stateMessages(catalog: TopicCatalog, kafka: KafkaConfiguration) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        try await KafkaPartitionReader.read(
            (0..<catalog.keyedPartitions).map { KafkaTopicPartition(topic: catalog.correlatorState, partition: $0) },
            configuration: kafka
        ) { messages.append($0) }
        return messages
    }

    func markers(catalog: TopicCatalog, kafka: KafkaConfiguration) async throws -> [Int32: PartitionCheckpoint.Progress]
    {
        let codec = StateCodec(feedTopics: [.audit: catalog.rawAudit, .mail: catalog.rawMail])
        var snapshots: [Int32: [CorrelatorStateSnapshot]] = [:]
        for message in try await stateMessages(catalog: catalog, kafka: kafka)
        where message.keyString?.hasPrefix("~correlator/") == true {
            if let snapshot = try? BoundedJSONDecoder().decodeValue(
                CorrelatorStateSnapshot.self, from: message.value ?? [])
            {
                snapshots[message.partition, default: []].append(snapshot)
            }
        }
        var progress: [Int32: PartitionCheckpoint.Progress] = [:]
        for (partition, list) in snapshots {
            progress[partition] = try codec.restore(partition: partition, from: list)?.progress
        }
        return progress
    }

    func trackedUsers(catalog: TopicCatalog, kafka: KafkaConfiguration) async throws -> Int {
        Set(
            try await stateMessages(catalog: catalog, kafka: kafka).compactMap(\.keyString).filter {
                !$0.hasPrefix("~")
            }
        ).count
    }

    func averageSnapshotBytes(catalog: TopicCatalog, kafka: KafkaConfiguration) async throws -> Double {
        var latest: [String: Int] = [:]
        for message in try await stateMessages(catalog: catalog, kafka: kafka) {
            guard let key = message.keyString, !key.hasPrefix("~") else { continue }
            latest[key] = message.value?.count ?? 0
        }
        return Double(latest.values.reduce(0, +)) / Double(max(latest.count, 1))
    }

    /// Steady production with event time = now; latency of every story event.
    func liveLatency(broker: EmbeddedKafka, kafka: KafkaConfiguration, tenant: String, logger: Logger) async throws
        -> [Double]
    {
        let catalog = TopicCatalog(prefix: "live", keyedPartitions: partitions)
        for spec in catalog.specs { try broker.createTopic(spec) }
        let settings = CorrelatorSettings(
            kafka: kafka, catalog: catalog, groupID: "live", checkpointInterval: .seconds(5), outputBatch: 1,
            engine: CorrelatorConfiguration(
                grace: .seconds(1), idleAfter: .milliseconds(500),
                tenants: [tenant: TenantContext(acceptedDomains: ["contoso.com"])]))
        let correlator = Correlator(settings: settings, logger: logger)
        let running = Task { try await correlator.run() }
        try await Task.sleep(for: .seconds(5))  // the group's first join
        let generator = RecordGenerator(tenant: tenant, users: users, attacked: attacked, catalog: catalog)
        let producer = try KafkaProducer(configuration: kafka)
        let total = liveRate * liveSeconds
        let perTick = max(1, liveRate / 20)
        var sent = 0
        while sent < total {
            let tick = ContinuousClock.now
            let batch = generator.records(count: perTick, start: Date(), spacing: 0.05 / Double(perTick), offset: sent)
            _ = try await producer.send(contentsOf: batch)
            sent += batch.count
            try await Task.sleep(until: tick + .milliseconds(50))
        }
        await producer.close()
        try await Task.sleep(for: .seconds(5))
        running.cancel()
        try await running.value
        var rawTimes: [String: Int64] = [:]
        for topic in [catalog.rawAudit, catalog.rawMail] {
            try await KafkaTopicReader.read(topic, configuration: kafka) { message in
                if let id = message.headers.last(named: "ce_id")?.stringValue, let time = message.timestampMilliseconds
                {
                    rawTimes[id] = time
                }
            }
        }
        var latencies: [Double] = []
        try await KafkaTopicReader.read(catalog.stories, configuration: kafka) { message in
            // The record that caused this event is the newest one it references (evidence is
            // sorted by record id, so its last entry can be a record from an earlier event).
            guard let time = message.timestampMilliseconds,
                let event = try? BoundedJSONDecoder().decodeValue(StoryEvent.self, from: message.value ?? []),
                let published = event.story.references.compactMap({ rawTimes[$0.recordId] }).max()
            else { return }
            latencies.append(Double(time - published) / 1000)
        }
        return latencies
    }
}

/// Watches the correlator's log for its first assignment and for the checkpoint that covers
/// every record; drops every line.
final class CorrelatorWatch: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private let records: Int
    private var firstAssignment: ContinuousClock.Instant?
    private var completion: ContinuousClock.Instant?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(records: Int) { self.records = records }

    var assigned: ContinuousClock.Instant? { lock.withLock { firstAssignment } }
    var finished: ContinuousClock.Instant? { lock.withLock { completion } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let now = ContinuousClock.now
        switch event.message.description {
        case "partitions assigned":
            lock.withLock { firstAssignment = firstAssignment ?? now }
        case "correlator progress":
            func number(_ key: String) -> Int? { event.metadata?[key].flatMap { Int("\($0)") } }
            guard let received = number("received"), received >= records, number("pending") == 0 else { return }
            lock.withLock { completion = completion ?? now }
        default:
            break
        }
    }
}

/// A stable hash, so a user's records always go to one partition.
func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
    }
    return hash
}

/// Resident memory of this process, from /proc.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}

extension Duration {
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Synthetic raw records in the collectors' envelopes.
struct RecordGenerator {
    let tenant: String
    let users: Int
    let attacked: Int
    let catalog: TopicCatalog
    let encoder = EventEncoder()
    static let iso8601 = Date.ISO8601FormatStyle()
    // Real audit records carry a lot of text: client info, paths, folder lists.
    let padding = String(
        repeating: "Folder=/Inbox/Projects/Quarterly reports;ClientInfoString=Client=OWA;Mozilla/5.0 ", count: 9)

    func records(count: Int, start: Date, spacing: TimeInterval, offset: Int = 0) -> [KafkaProducerRecord] {
        (0..<count).map { index in
            let sequence = index + offset
            let user = "user\(sequence % users)@contoso.com"
            let time = start.addingTimeInterval(Double(index) * spacing)
            let key = "\(tenant)/\(user)"
            let id = "rec-\(UUID().uuidString.lowercased())"
            let partition = Int32(fnv1a(key) % UInt64(catalog.keyedPartitions))
            // Foundation's ISO8601DateFormatter builds an ICU formatter per call: generating the
            // live phase's records with it took a core away from the correlator being measured.
            let stamp = time.formatted(Self.iso8601)
            switch sequence % 20 {
            case 0..<11:
                return audit(
                    [
                        "Operation": "MailItemsAccessed", "RecordType": 50, "Workload": "Exchange",
                        "ClientInfo": .string(padding),
                    ], id: id, user: user, time: time, key: key, partition: partition)
            case 11..<16:
                return mail(
                    .signIn,
                    [
                        "id": .string(id), "createdDateTime": .string(stamp), "userPrincipalName": .string(user),
                        "ipAddress": "198.51.100.7", "status": ["errorCode": 0], "riskLevelDuringSignIn": "none",
                        "location": [
                            "countryOrRegion": "US", "geoCoordinates": ["latitude": 47.6, "longitude": -122.3],
                        ],
                        "deviceDetail": .object(["browser": .string(padding.prefix(300).description)]),
                    ], id: id, user: user, time: time, key: key, partition: partition)
            default:
                let victim = sequence % users < attacked && sequence % 20 == 19
                let target: JSONValue = .string(
                    victim ? "smtp:drop-\(sequence % users)@evil.example" : "assistant@contoso.com")
                return audit(
                    [
                        "Operation": "New-InboxRule", "RecordType": 1, "Workload": "Exchange", "ResultStatus": "True",
                        "ClientIP": "198.51.100.7:443", "ObjectId": .string(padding.prefix(600).description),
                        "Parameters": [["Name": "Name", "Value": "Move"], ["Name": "ForwardTo", "Value": target]],
                    ], id: id, user: user, time: time, key: key, partition: partition)
            }
        }
    }

    func audit(
        _ fields: [String: JSONValue], id: String, user: String, time: Date, key: String, partition: Int32
    ) -> KafkaProducerRecord {
        var record = fields
        record["Id"] = .string(id)
        // `CreationTime` as the Management API writes it: UTC, no zone suffix.
        record["CreationTime"] = .string(String(time.formatted(Self.iso8601).dropLast()))
        record["OrganizationId"] = .string(tenant)
        record["UserId"] = .string(user)
        record["UserType"] = 0
        let envelope = RawAuditEnvelope(
            tenantId: tenant, contentType: "Audit.Exchange", contentId: "blob", recordId: id, collectedAt: time,
            record: .object(record))
        return KafkaProducerRecord(
            topic: catalog.rawAudit, partition: partition, key: Array(key.utf8),
            value: (try? encoder.encode(envelope)) ?? [],
            headers: CloudEventHeaders(
                id: EventID.raw(id), source: "/bench", type: "com.inboxwatch.raw.audit", time: time
            ).kafkaHeaders)
    }

    func mail(
        _ kind: RawMailEnvelope.ResourceKind, _ resource: [String: JSONValue], id: String, user: String, time: Date,
        key: String, partition: Int32
    ) -> KafkaProducerRecord {
        let envelope = RawMailEnvelope(
            tenantId: tenant, resourceKind: kind, changeKind: .created, resourceId: id, collectedAt: time,
            resource: .object(resource))
        return KafkaProducerRecord(
            topic: catalog.rawMail, partition: partition, key: Array(key.utf8),
            value: (try? encoder.encode(envelope)) ?? [],
            headers: CloudEventHeaders(
                id: EventID.resourceChange(resourceID: id, changeKind: "created", resource: .object(resource)),
                source: "/bench", type: "com.inboxwatch.raw.mail.signIn", time: time
            ).kafkaHeaders)
    }
}
