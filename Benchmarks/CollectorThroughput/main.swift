// End-to-end throughput of the audit collector: blobs fetched over HTTP from the tenant simulator,
// split, parsed, deduplicated, encoded and published until Kafka acknowledged them, with the
// checkpoints the collector writes on the way; and, on the same broker in the same run, the raw
// limit of our producer for the same records.
//
//   swift run -c release CollectorThroughput --users 2000 --hours 24 --runs 3 --blob-concurrency 4
//
// Three processes, so that each one's CPU time is its own: this one runs the collector (and the
// raw producer); a child (this binary with `--serve`) builds the simulated world and serves it on
// loopback with a manual clock set after the last blob is published; another child (`--broker`)
// runs the embedded Kafka broker with fresh topics for every run. The children exit when this
// process closes their stdin (or dies).

import ArgumentParser
import Collector
import Events
import Foundation
import HTTP
import Kafka
import Logging
import M365
import Synchronization
import TenantSimulator

#if canImport(Glibc)
    import Glibc
#endif

@main
struct CollectorThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Records/s of the audit collector from blob fetch to Kafka acknowledgement, against the raw producer."
    )

    @Option(help: "Users in the simulated tenant (10 to 20000).")
    var users = 2_000

    @Option(help: "Hours of activity in the simulated world.")
    var hours = 24.0

    @Option(help: "Benign background events per user per hour.")
    var rate = 2.5

    @Option(help: "Most records in one blob.")
    var blobCapacity = 2_000

    @Option(help: "Seconds of publication time gathered into one blob per content type.")
    var blobInterval = 900.0

    @Option(help: "Seed of the simulated world.")
    var seed: UInt64 = 7

    @Option(help: "Measured runs, each on fresh topics; the report shows the median.")
    var runs = 3

    @Option(help: "Blobs fetched at once per content type (AuditCollectionPolicy.blobConcurrency).")
    var blobConcurrency = 4

    @Option(help: "Partitions of the keyed topics (the embedded broker keeps only ~5 MiB per partition).")
    var partitions: Int32 = 64

    @Option(help: "Brokers in the embedded cluster.")
    var brokers: Int32 = 3

    @Option(help: "Records per send(contentsOf:) call in the raw producer measurement (two calls in flight).")
    var rawBatch = 10_000

    @Option(
        help: """
            librdkafka's rdkafka_performance, run on the same broker for a third figure \
            (default: Benchmarks/tools/bin/rdkafka_performance, built by Benchmarks/run.sh, if present).
            """)
    var rdkafkaPerformance: String?

    @Option(help: "Seconds one collector run may take before the benchmark gives up.")
    var timeout = 600.0

    @Flag(help: .hidden)
    var serve = false

    @Option(help: .hidden)
    var idsFile: String?

    @Flag(help: .hidden)
    var broker = false

    func validate() throws {
        guard runs >= 1, blobConcurrency >= 1, blobConcurrency <= 64, rawBatch >= 1, partitions >= 1, brokers >= 1
        else {
            throw ValidationError(
                "--runs, --raw-batch, --partitions, --brokers must be positive; --blob-concurrency 1-64")
        }
        let problems = worldConfiguration.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
    }

    /// 2026-11-20T00:00:00Z, as the collector tests use.
    static let worldStart = Date(timeIntervalSince1970: 1_795_132_800)

    var worldConfiguration: SimulatorConfiguration {
        SimulatorConfiguration(
            seed: seed, scenarios: ["account-takeover", "login-then-phish", "mailbox-forwarding"],
            start: Self.worldStart, duration: hours * 3600, userCount: users, backgroundRate: rate,
            blobInterval: blobInterval, blobCapacity: blobCapacity)
    }

    /// The arguments that make a child build the same world.
    var worldArguments: [String] {
        [
            "--users", "\(users)", "--hours", short(hours), "--rate", short(rate), "--blob-capacity", "\(blobCapacity)",
            "--blob-interval", short(blobInterval), "--seed", "\(seed)",
        ]
    }

    /// Everything that decides the figures, spelled out: the reproducible command.
    var command: String {
        (["swift run -c release CollectorThroughput"] + worldArguments + [
            "--runs", "\(runs)", "--blob-concurrency", "\(blobConcurrency)", "--partitions", "\(partitions)",
            "--brokers", "\(brokers)", "--raw-batch", "\(rawBatch)",
        ] + (rdkafkaPerformance.map { ["--rdkafka-performance", $0] } ?? [])).joined(separator: " ")
    }

    func run() async throws {
        if serve {
            guard let idsFile else { throw ValidationError("--serve needs --ids-file") }
            try await Simulator.serve(worldConfiguration, idsFile: idsFile)
            return
        }
        if broker {
            try BrokerChild.serve(runs: runs, partitions: partitions, brokers: brokers)
            return
        }
        try await Benchmark(options: self).run()
    }
}

// MARK: - The simulator child

/// What the simulator child tells the parent on its first line of output.
struct WorldInfo: Codable, Sendable {
    var url: String
    var tenantId: String
    var clientId: String
    var clientSecret: String
    /// The simulator's (and the collector's) manual clock: after the last blob is published.
    var nowMilliseconds: Int64
    /// Distinct well-formed records (what must reach the raw topic).
    var records: Int
    /// Records served, duplicates included.
    var copies: Int
    var blobs: Int
    /// Bytes of every blob body, as served.
    var blobBytes: Int
    var largestBlobRecords: Int
    var buildSeconds: Double

    var now: Date { Date(timeIntervalSince1970: Double(nowMilliseconds) / 1000) }
}

enum Simulator {
    static func serve(_ configuration: SimulatorConfiguration, idsFile: String) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        // Microsoft's quota (2,000 requests a minute per publisher) is counted per minute of the
        // simulator's clock, which stands still here: it would run out in the third run and
        // never refill. The collector makes ~800 requests a run; lift the quota.
        var faults = FaultPlan()
        faults.managementQuotaPerMinute = Int.max
        let tenant = SimulatedTenant(
            configuration: configuration, clock: SimulationClock(.manual(configuration.start)), faults: faults)
        var last = configuration.start
        var ids = Set<String>()
        var copies = 0
        var blobs = 0
        var largest = 0
        for list in tenant.index.blobs.values {
            for blob in list {
                blobs += 1
                largest = max(largest, blob.copies.count)
                last = max(last, blob.contentCreated)
                for copy in blob.copies {
                    copies += 1
                    if let id = tenant.world.timeline.auditRecords[copy.record].id { ids.insert(EventID.raw(id)) }
                }
            }
        }
        // A minute after the last blob, on a whole minute: everything is listable, nothing expired.
        let now = Date(timeIntervalSince1970: (last.timeIntervalSince1970 / 60).rounded(.up) * 60 + 60)
        await tenant.setClock(to: now)
        // Render every blob once to know the bytes the collector will download.
        let api = ManagementActivityAPI(world: tenant.world, index: tenant.index, baseURL: "http://127.0.0.1")
        let state = await tenant.currentState()
        var bytes = 0
        for list in tenant.index.blobs.values {
            for blob in list { bytes += api.render(blob, state: state).count }
        }
        try Data(ids.sorted().joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: idsFile))
        let buildSeconds = (clock.now - started).seconds
        ParentWatch.exitWhenStdinCloses()
        var logger = Logger(label: "CollectorThroughput.simulator")
        logger.logLevel = .critical
        let apps = tenant.apps.collector
        let info = WorldInfo(
            url: "", tenantId: tenant.world.directory.tenantId, clientId: apps.clientId,
            clientSecret: apps.clientSecret, nowMilliseconds: Int64((now.timeIntervalSince1970 * 1000).rounded()),
            records: ids.count, copies: copies, blobs: blobs, blobBytes: bytes, largestBlobRecords: largest,
            buildSeconds: buildSeconds)
        try await SimulatorServer.run(tenant: tenant, logger: logger) { url in
            var info = info
            info.url = url
            let line = (try? JSONEncoder().encode(info)) ?? Data()
            FileHandle.standardOutput.write(line + Data("\n".utf8))
        }
    }
}

// MARK: - The broker child

/// Topic names of one run: the catalog (collector), the raw producer's topic and rdkafka_performance's.
struct RunTopics {
    let catalog: TopicCatalog
    let rawLimit: String
    let rdkafka: String

    init(run: Int, partitions: Int32) {
        catalog = TopicCatalog(prefix: "bench.r\(run)", keyedPartitions: partitions)
        rawLimit = "bench.r\(run).rawlimit"
        rdkafka = "bench.r\(run).rdkafka"
    }

    func specs(partitions: Int32) -> [KafkaTopicSpec] {
        catalog.specs + [rawLimit, rdkafka].map { KafkaTopicSpec(name: $0, partitions: partitions) }
    }
}

enum BrokerChild {
    /// Creates every run's topics up front (the mock cluster has no CreateTopics), prints the bootstrap
    /// address and serves until the parent closes stdin.
    static func serve(runs: Int, partitions: Int32, brokers: Int32) throws {
        var logger = Logger(label: "CollectorThroughput.broker")
        logger.logLevel = .error
        let topics = (1...runs).flatMap { RunTopics(run: $0, partitions: partitions).specs(partitions: partitions) }
        let broker = try EmbeddedKafka(brokers: brokers, topics: topics, logger: logger)
        FileHandle.standardOutput.write(Data((broker.bootstrapServers + "\n").utf8))
        ParentWatch.waitForStdinToClose()
        withExtendedLifetime(broker) {}
    }
}

/// Children read stdin until the parent closes it (or dies), then exit.
enum ParentWatch {
    static func waitForStdinToClose() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(0, &buffer, buffer.count) > 0 {}
    }

    static func exitWhenStdinCloses() {
        Thread.detachNewThread {
            waitForStdinToClose()
            exit(0)
        }
    }
}

/// A child process of this same binary.
final class Child: Sendable {
    let name: String
    let process: Process
    private let stdin: Pipe
    let firstLine: String

    init(name: String, arguments: [String]) throws {
        self.name = name
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchmarkError("the \(name) process exited before it was ready") }
            buffer += chunk
        }
        self.process = process
        self.stdin = input
        self.firstLine = String(String(decoding: buffer, as: UTF8.self).split(separator: "\n")[0])
    }

    /// User + system CPU seconds so far, from /proc/<pid>/stat.
    func cpuSeconds() -> Double { ProcessCPU.of(pid: process.processIdentifier) ?? .nan }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

// MARK: - CPU and time

struct CPUTime: Sendable {
    var user: Double
    var system: Double
    var total: Double { user + system }

    static func of(_ who: Int32) -> CPUTime {
        var usage = rusage()
        getrusage(__rusage_who_t(who), &usage)
        return CPUTime(
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    static var this: CPUTime { of(RUSAGE_SELF.rawValue) }
    /// Children this process waited for (rdkafka_performance).
    static var waitedChildren: CPUTime { of(RUSAGE_CHILDREN.rawValue) }

    static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
    }
}

enum ProcessCPU {
    static func of(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// A moment of a run: wall clock and the CPU time of each process.
struct Snapshot: Sendable {
    var at: ContinuousClock.Instant
    var collector: CPUTime
    var simulator: Double
    var broker: Double

    static func take(_ children: Children) -> Snapshot {
        Snapshot(
            at: .now, collector: .this, simulator: children.simulator.cpuSeconds(),
            broker: children.broker.cpuSeconds())
    }
}

struct Children: Sendable {
    let simulator: Child
    let broker: Child
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

// MARK: - Phases of a collector run

/// Where a collector run is: the end of its setup (lease joined, raw topic read back), the last
/// window acknowledged, and the progress of each content type.
final class RunMarks: Sendable {
    private struct State {
        var setupDone: Snapshot?
        var lastProgress: Snapshot?
        var progress: [String: CollectionProgress] = [:]
        var finished: [String: ContinuousClock.Instant] = [:]
        var troubles: [String] = []
        var failure: String?
    }

    private let state = Mutex(State())
    let children: Children

    init(children: Children) { self.children = children }

    /// The collector logs this once it holds the lease and has read the raw topic back.
    static let setupDoneMessage = "read back published record ids"

    func setupDone() {
        let snapshot = Snapshot.take(children)
        state.withLock { $0.setupDone = snapshot }
    }

    func progress(_ progress: CollectionProgress) {
        let snapshot = Snapshot.take(children)
        state.withLock {
            $0.lastProgress = snapshot
            $0.progress[progress.source] = progress
            $0.finished[progress.source] = snapshot.at
        }
    }

    func trouble(_ text: String) { state.withLock { $0.troubles.append(text) } }

    /// The first error the collector logged or reported through its health sink.
    func fail(_ text: String) {
        state.withLock {
            $0.troubles.append(text)
            if $0.failure == nil { $0.failure = text }
        }
    }

    var failure: String? { state.withLock { $0.failure } }

    var setupSnapshot: Snapshot? { state.withLock { $0.setupDone } }
    var lastProgressSnapshot: Snapshot? { state.withLock { $0.lastProgress } }
    var totals: CollectionProgress {
        state.withLock { state in
            var total = CollectionProgress(source: "all", startedAt: CollectorThroughput.worldStart)
            for progress in state.progress.values {
                total.recordsPublished += progress.recordsPublished
                total.blobsFetched += progress.blobsFetched
                total.duplicatesSkipped += progress.duplicatesSkipped
                total.deadLettered += progress.deadLettered
                total.windowsDone += progress.windowsDone
                total.gapsOpen += progress.gapsOpen
            }
            return total
        }
    }
    var troubles: [String] { state.withLock { $0.troubles } }

    /// Per content type: records, blobs, and when its last window was acknowledged.
    var sources: [SourceResult] {
        state.withLock { state in
            state.progress.values.sorted {
                ($0.recordsPublished, $1.source) > ($1.recordsPublished, $0.source)
            }.map { progress in
                SourceResult(
                    source: progress.source, records: progress.recordsPublished, blobs: progress.blobsFetched,
                    windows: progress.windowsDone,
                    doneSeconds: state.setupDone.flatMap { setup in
                        state.finished[progress.source].map { ($0 - setup.at).seconds }
                    } ?? .nan)
            }
        }
    }
}

struct SourceResult: Sendable {
    var source: String
    var records: Int
    var blobs: Int
    var windows: Int
    /// Seconds from the end of the setup to this content type's last acknowledged window.
    var doneSeconds: Double
}

/// Marks the end of the setup when the collector says so; prints warnings and errors to stderr.
struct PhaseLogHandler: LogHandler {
    let marks: RunMarks
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.message.description == RunMarks.setupDoneMessage { marks.setupDone() }
        guard event.level >= .warning else { return }
        let details = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let text = "\(event.level): \(event.message) \(details.joined(separator: " "))"
        if event.level >= .error { marks.fail(text) } else { marks.trouble(text) }
        FileHandle.standardError.write(Data("  [\(event.level)] \(event.message) \(details)\n".utf8))
    }
}

// MARK: - The benchmark

/// What one run measured.
struct RunResult: Sendable {
    var setupSeconds: Double
    var collectSeconds: Double
    var teardownSeconds: Double
    var records: Int
    var blobs: Int
    var duplicatesSkipped: Int
    /// Key + value + headers of the raw records (estimated for those the broker dropped).
    var kafkaBytes: Int
    /// Records the mock broker acknowledged and later dropped (its ~5 MiB per partition).
    var dropped: Int
    var droppingPartitions: Int
    var largestKey: (String, Int)
    var collectorCPU: CPUTime
    var simulatorCPU: Double
    var brokerCPU: Double
    var rawSeconds: Double
    var rawCPU: CPUTime
    var rawBrokerCPU: Double
    var rdkafkaRate: Double?
    var rdkafkaCPU: Double?
    var sources: [SourceResult]

    var recordsPerSecond: Double { Double(records) / collectSeconds }
    var rawRecordsPerSecond: Double { Double(records) / rawSeconds }
}

struct Benchmark {
    let options: CollectorThroughput

    func run() async throws {
        let machine = Machine.describe()
        let loadAverage = Machine.loadAverage()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "collector-throughput-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let idsFile = scratch.appendingPathComponent("ids").path

        note("starting the embedded broker (\(options.brokers) brokers, \(options.partitions) partitions per topic)")
        let broker = try Child(
            name: "broker",
            arguments: [
                "--broker", "--runs", "\(options.runs)", "--partitions", "\(options.partitions)", "--brokers",
                "\(options.brokers)",
            ])
        defer { broker.stop() }
        let bootstrap = broker.firstLine
        note("building the world: \(options.users) users, \(options.hours) h, \(options.rate) events/user/h")
        let simulator = try Child(
            name: "simulator", arguments: ["--serve", "--ids-file", idsFile] + options.worldArguments)
        defer { simulator.stop() }
        let world = try JSONDecoder().decode(WorldInfo.self, from: Data(simulator.firstLine.utf8))
        let expected = Set(try String(contentsOfFile: idsFile, encoding: .utf8).split(separator: "\n").map(String.init))
        guard expected.count == world.records else {
            throw BenchmarkError("the ids file holds \(expected.count) ids, the simulator says \(world.records)")
        }
        note(
            "world: \(world.records) records (\(world.copies) served with duplicates) in \(world.blobs) blobs, "
                + "\(mb(world.blobBytes)) MB, built in \(fixed(world.buildSeconds, 1)) s; served at \(world.url)")
        let children = Children(simulator: simulator, broker: broker)
        let rdkafka = RdkafkaPerformance.find(options.rdkafkaPerformance)

        var results: [RunResult] = []
        for run in 1...options.runs {
            let result = try await measure(
                run: run, world: world, expected: expected, bootstrap: bootstrap, children: children,
                rdkafka: rdkafka)
            results.append(result)
            note(
                "run \(run): collector \(Int(result.recordsPerSecond)) records/s in "
                    + "\(fixed(result.collectSeconds, 2)) s (+ \(fixed(result.setupSeconds, 2)) s setup), "
                    + "raw producer \(Int(result.rawRecordsPerSecond)) records/s"
                    + (result.rdkafkaRate.map { ", rdkafka_performance \(Int($0)) msgs/s" } ?? ""))
        }
        print(
            Report(
                options: options, world: world, results: results, machine: machine, loadAverage: loadAverage,
                rdkafka: rdkafka
            ).text)
    }

    func measure(
        run: Int, world: WorldInfo, expected: Set<String>, bootstrap: String, children: Children, rdkafka: String?
    ) async throws -> RunResult {
        let topics = RunTopics(run: run, partitions: options.partitions)
        let marks = RunMarks(children: children)
        let logger = Logger(label: "CollectorThroughput") { _ in PhaseLogHandler(marks: marks) }
        let kafka = KafkaConfiguration(bootstrapServers: bootstrap)
        let now = world.now
        let clock = M365Clock { now }

        // A collector as `inboxwatch collect audit --once --since <world start>` builds it.
        let http = HTTPClient(configuration: HTTPClientConfiguration(), logger: logger)
        let endpoints = M365Endpoints.simulator(baseURL: world.url)
        let tokens = TokenProvider(
            identity: AppIdentity(clientId: world.clientId, credential: .secret(world.clientSecret)),
            endpoints: endpoints, http: http, clock: clock, logger: logger)
        let client = ManagementActivityClient(
            tenantId: world.tenantId, tokens: tokens, http: http, endpoints: endpoints, clock: clock, logger: logger)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let collector = AuditCollector(
            client: client, publisher: RecordPublisher(producer: producer, catalog: topics.catalog), kafka: kafka,
            settings: .init(
                contentTypes: [.exchange, .azureActiveDirectory, .general, .sharePoint, .dlpAll],
                policy: AuditCollectionPolicy(blobConcurrency: options.blobConcurrency),
                backfillFrom: CollectorThroughput.worldStart, once: true),
            clock: clock, logger: logger,
            health: { health in
                if health.status != .healthy { marks.fail("health \(health.status): \(health.reason)") }
            },
            progress: { marks.progress($0) })

        note("run \(run): collecting into \(topics.catalog.rawAudit)")
        let started = Snapshot.take(children)
        let limit = options.timeout
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await collector.run()
                return true
            }
            // A failed cycle is retried forever with `once`; a measurement with retries means nothing.
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(limit)
                while ContinuousClock.now < deadline, marks.failure == nil {
                    try await Task.sleep(for: .milliseconds(200))
                }
                return false
            }
            let finished = try await group.next()!
            group.cancelAll()
            if let failure = marks.failure { throw BenchmarkError("run \(run): the collector failed: \(failure)") }
            if !finished { throw BenchmarkError("run \(run): the collector did not finish within \(Int(limit)) s") }
        }
        let ended = Snapshot.take(children)
        await producer.close()
        await http.shutdown()
        guard let setup = marks.setupSnapshot, let last = marks.lastProgressSnapshot else {
            throw BenchmarkError("run \(run): the collector never reported its setup end or any progress")
        }
        let totals = marks.totals
        note(
            "run \(run): \(totals.recordsPublished) records from \(totals.blobsFetched) blobs in "
                + "\(fixed((last.at - setup.at).seconds, 2)) s after "
                + "\(fixed((setup.at - started.at).seconds, 2)) s of setup")

        // Nothing lost: every record id the simulator published reached the raw topic, once.
        note("run \(run): reading \(topics.catalog.rawAudit) back")
        let readBack = try await RawTopic.read(topics.catalog.rawAudit, kafka: kafka)
        let missing = expected.subtracting(readBack.ids)
        let unexpected = readBack.ids.subtracting(expected)
        guard readBack.produced == expected.count, unexpected.isEmpty, readBack.keptCount == readBack.ids.count,
            missing.count == readBack.dropped
        else {
            throw BenchmarkError(
                "run \(run): \(readBack.produced) records on the raw topic for \(expected.count) record ids; "
                    + "\(missing.count) ids missing where the broker dropped \(readBack.dropped) (its ~5 MiB per "
                    + "partition), \(unexpected.count) unexpected, \(readBack.keptCount - readBack.ids.count) twice")
        }
        guard totals.recordsPublished == expected.count, totals.deadLettered == 0, totals.gapsOpen == 0 else {
            throw BenchmarkError(
                "run \(run): the collector reports \(totals.recordsPublished) records published, "
                    + "\(totals.deadLettered) dead-lettered, \(totals.gapsOpen) gaps; expected \(expected.count), 0, 0")
        }
        if !marks.troubles.isEmpty {
            note("run \(run): \(marks.troubles.count) warning(s) during the run (above)")
        }

        // The raw limit: the same records (keys, values, headers), straight into the producer.
        let replay = readBack.replay(to: topics.rawLimit)
        let replayBytes = replay.reduce(0) { $0 + RawTopic.size($1) }
        note("run \(run): raw producer, \(replay.count) records into \(topics.rawLimit)")
        let raw = try await RawProducer.measure(replay, kafka: kafka, batch: options.rawBatch, broker: children.broker)

        var rdkafkaRate: Double?
        var rdkafkaCPU: Double?
        if let rdkafka {
            note("run \(run): rdkafka_performance into \(topics.rdkafka)")
            let averageBytes = max(1, replayBytes / max(1, replay.count))
            (rdkafkaRate, rdkafkaCPU) = try RdkafkaPerformance.produce(
                tool: rdkafka, bootstrap: bootstrap, topic: topics.rdkafka, size: averageBytes,
                count: replay.count)
        }

        return RunResult(
            setupSeconds: (setup.at - started.at).seconds, collectSeconds: (last.at - setup.at).seconds,
            teardownSeconds: (ended.at - last.at).seconds, records: totals.recordsPublished,
            blobs: totals.blobsFetched, duplicatesSkipped: totals.duplicatesSkipped, kafkaBytes: replayBytes,
            dropped: readBack.dropped, droppingPartitions: readBack.droppingPartitions,
            largestKey: readBack.largestKey, collectorCPU: last.collector - setup.collector,
            simulatorCPU: last.simulator - setup.simulator, brokerCPU: last.broker - setup.broker,
            rawSeconds: raw.seconds, rawCPU: raw.cpu, rawBrokerCPU: raw.brokerCPU, rdkafkaRate: rdkafkaRate,
            rdkafkaCPU: rdkafkaCPU, sources: marks.sources)
    }
}

/// Reads the raw topic back: which ids arrived, how many bytes, and the records to replay.
///
/// librdkafka's mock broker keeps only ~5 MiB per partition and drops the oldest records beyond
/// that (after acknowledging them). A hot key overflows it: every system record of a tenant
/// (`<tenant>/~system`) goes to one partition. The records it dropped are counted by each
/// partition's low watermark (its first offset still kept), so the check is: every offset
/// handed out (the sum of high watermarks) is one expected record, every record still kept is
/// an expected id seen once, and the ids not seen are exactly as many as the broker dropped.
struct RawTopic {
    var ids = Set<String>()
    /// Records still on the topic, by partition.
    var kept: [Int32: [KafkaProducerRecord]] = [:]
    var keptCount = 0
    var watermarks: [Int32: (low: Int64, high: Int64)] = [:]
    /// Key + value + header keys and values, summed over the records kept.
    var keptBytes = 0
    /// The key with the most bytes among the records kept.
    var largestKey = ("", 0)

    var produced: Int { Int(watermarks.values.reduce(0) { $0 + $1.high }) }
    var dropped: Int { Int(watermarks.values.reduce(0) { $0 + $1.low }) }
    var droppingPartitions: Int { watermarks.values.filter { $0.low > 0 }.count }

    /// What was produced, as closely as the kept records allow: the kept ones, and for each record
    /// the broker dropped, a kept record of the same partition (same key distribution and size).
    func replay(to topic: String) -> [KafkaProducerRecord] {
        var records: [KafkaProducerRecord] = []
        records.reserveCapacity(produced)
        for (partition, list) in kept.sorted(by: { $0.key < $1.key }) {
            let dropped = Int(watermarks[partition]?.low ?? 0)
            for index in 0..<(list.count + dropped) {
                var record = list[index % list.count]
                record.topic = topic
                records.append(record)
            }
        }
        return records
    }

    static func size(_ record: KafkaProducerRecord) -> Int {
        (record.key?.count ?? 0) + (record.value?.count ?? 0)
            + record.headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
    }

    static func read(_ topic: String, kafka: KafkaConfiguration) async throws -> RawTopic {
        var result = RawTopic()
        var keyBytes: [[UInt8]: Int] = [:]
        try await KafkaTopicReader.read(
            topic, configuration: kafka,
            onPartition: { partition, low, high in result.watermarks[partition.partition] = (low, high) },
            onMessage: { message in
                let record = KafkaProducerRecord(
                    topic: topic, key: message.key, value: message.value, headers: message.headers)
                let size = size(record)
                result.keptBytes += size
                result.keptCount += 1
                keyBytes[record.key ?? [], default: 0] += size
                if let id = record.headers.last(named: "ce_id")?.stringValue { result.ids.insert(id) }
                result.kept[message.partition, default: []].append(record)
            })
        if let (key, bytes) = keyBytes.max(by: { $0.value < $1.value }) {
            result.largestKey = (String(decoding: key, as: UTF8.self), bytes)
        }
        return result
    }
}

enum RawProducer {
    /// Sends `records` in batches, two `send(contentsOf:)` calls in flight, until all are acknowledged.
    static func measure(_ records: [KafkaProducerRecord], kafka: KafkaConfiguration, batch: Int, broker: Child)
        async throws -> (seconds: Double, cpu: CPUTime, brokerCPU: Double)
    {
        let producer = try KafkaProducer(configuration: kafka)
        let batches = stride(from: 0, to: records.count, by: batch).map {
            Array(records[$0..<min($0 + batch, records.count)])
        }
        let brokerBefore = broker.cpuSeconds()
        let cpuBefore = CPUTime.this
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func startNext() {
                guard next < batches.count else { return }
                let records = batches[next]
                next += 1
                group.addTask { try await producer.send(contentsOf: records) }
            }
            startNext()
            startNext()
            while try await group.next() != nil { startNext() }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let cpu = CPUTime.this - cpuBefore
        let brokerCPU = broker.cpuSeconds() - brokerBefore
        await producer.close()
        return (seconds, cpu, brokerCPU)
    }
}

/// librdkafka's own producer tool, when built (Benchmarks/run.sh builds it).
enum RdkafkaPerformance {
    static let defaultPath = "Benchmarks/tools/bin/rdkafka_performance"

    static func find(_ path: String?) -> String? {
        let candidate = path ?? defaultPath
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            if path != nil { note("warning: \(candidate) is not an executable; rdkafka_performance skipped") }
            return nil
        }
        return URL(fileURLWithPath: candidate).standardizedFileURL.path
    }

    /// The same settings as Benchmarks/run.sh gives it (our producer's, librdkafka's defaults otherwise).
    static func arguments(bootstrap: String, topic: String, size: Int, count: Int) -> [String] {
        [
            "-P", "-b", bootstrap, "-t", topic, "-s", "\(size)", "-c", "\(count)", "-X", "enable.idempotence=true",
            "-X", "acks=all", "-X", "partitioner=murmur2_random", "-X", "sticky.partitioning.linger.ms=0", "-X",
            "linger.ms=5", "-X", "message.send.max.retries=2147483647", "-X", "retry.backoff.ms=100",
        ]
    }

    /// Messages/s as the tool reports them, and its CPU seconds.
    static func produce(tool: String, bootstrap: String, topic: String, size: Int, count: Int) throws -> (
        Double, Double
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments(bootstrap: bootstrap, topic: topic, size: size, count: count)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let before = CPUTime.waitedChildren
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let cpu = (CPUTime.waitedChildren - before).total
        // % 100000 messages produced (102400000 bytes), 100000 delivered (offset 3124, 0 failed)
        //   in 193ms: 517322 msgs/s and 529.74 MB/s, ...
        guard process.terminationStatus == 0,
            let line = text.split(separator: "\n").last(where: { $0.hasPrefix("% ") && $0.contains("msgs/s") }),
            let rate = line.split(separator: " ").split(separator: "msgs/s").first?.last.flatMap({ Double($0) }),
            line.contains(" \(count) delivered"), line.contains(" 0 failed")
        else {
            throw BenchmarkError("rdkafka_performance failed or did not deliver every message:\n\(text.suffix(2000))")
        }
        return (rate, cpu)
    }
}

// MARK: - Report

enum Machine {
    static func describe() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kilobytes =
            meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs (\(model)), "
            + "\(fixed(kilobytes / 1_048_576, 1)) GiB RAM, Linux \(release)"
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")
            .split(separator: " ").prefix(3).joined(separator: " ")
    }
}

struct Report {
    let options: CollectorThroughput
    let world: WorldInfo
    let results: [RunResult]
    let machine: String
    let loadAverage: String
    let rdkafka: String?

    var text: String {
        var lines: [String] = []
        let median = { (value: (RunResult) -> Double) in Self.median(results.map(value)) }
        let perRecord = { (seconds: Double, records: Int) in seconds / Double(max(1, records)) * 1e6 }
        let records = Double(world.records)
        lines.append("# Audit collector throughput (CollectorThroughput)")
        lines.append("")
        lines.append("- command: `\(options.command)`")
        lines.append("- machine: \(machine); load average \(loadAverage) at start")
        lines.append(
            "- world: \(options.users) users, \(fixed(options.hours, 0)) h, \(world.records) records "
                + "(\(world.copies) with Microsoft's duplicates) in \(world.blobs) blobs of up to "
                + "\(world.largestBlobRecords) records, \(mb(world.blobBytes)) MB of blob JSON")
        lines.append(
            "- collector: 5 content types, blob concurrency \(options.blobConcurrency), 1-hour windows, "
                + "one cycle (`once`), from the world's start; broker: \(options.brokers) embedded brokers, "
                + "\(options.partitions) partitions, fresh topics per run")
        lines.append("")
        lines.append("| | median | per run |")
        lines.append("|---|---:|---|")
        func row(_ name: String, _ digits: Int, _ value: @escaping (RunResult) -> Double) {
            lines.append(
                "| \(name) | \(fixed(median(value), digits)) | "
                    + results.map { fixed(value($0), digits) }.joined(separator: ", ") + " |")
        }
        row("collector records/s (blob fetch to Kafka ack)", 0) { $0.recordsPerSecond }
        row("raw producer records/s (same records, send(contentsOf:))", 0) { $0.rawRecordsPerSecond }
        row("collector % of raw", 1) { 100 * $0.recordsPerSecond / $0.rawRecordsPerSecond }
        if rdkafka != nil {
            row("rdkafka_performance msgs/s (same count, average size)", 0) { $0.rdkafkaRate ?? .nan }
        }
        row("collect s", 2) { $0.collectSeconds }
        row("setup s (lease group join, read-back of the raw topic)", 2) { $0.setupSeconds }
        row("teardown s (lease release)", 2) { $0.teardownSeconds }
        row("blobs/s", 0) { Double($0.blobs) / $0.collectSeconds }
        row("HTTP MB/s (blob JSON in)", 1) { Double(self.world.blobBytes) / 1e6 / $0.collectSeconds }
        row("Kafka MB/s (key + value + headers out)", 1) { Double($0.kafkaBytes) / 1e6 / $0.collectSeconds }
        row("collector CPU µs/record (user + sys)", 1) { perRecord($0.collectorCPU.total, $0.records) }
        row("  of which user", 1) { perRecord($0.collectorCPU.user, $0.records) }
        row("  of which sys", 1) { perRecord($0.collectorCPU.system, $0.records) }
        row("collector CPU cores busy", 2) { $0.collectorCPU.total / $0.collectSeconds }
        row("simulator CPU µs/record", 1) { perRecord($0.simulatorCPU, $0.records) }
        row("broker CPU µs/record (collector run)", 1) { perRecord($0.brokerCPU, $0.records) }
        row("raw producer CPU µs/record", 1) { perRecord($0.rawCPU.total, $0.records) }
        row("broker CPU µs/record (raw run)", 1) { perRecord($0.rawBrokerCPU, $0.records) }
        if rdkafka != nil {
            row("rdkafka_performance CPU µs/record", 1) { perRecord($0.rdkafkaCPU ?? .nan, $0.records) }
        }
        lines.append("")
        let kafkaBytes = results.first.map { Double($0.kafkaBytes) } ?? 0
        lines.append(
            "Every run: \(results.first?.records ?? 0) of \(world.records) records published, each id once, none "
                + "missing; \(results.first?.duplicatesSkipped ?? 0) duplicate copies skipped; "
                + "\(results.first?.blobs ?? 0) blobs; \(fixed(kafkaBytes / records, 0)) B per Kafka record on average."
        )
        if let first = results.first {
            lines.append(
                "Per content type (run 1): "
                    + first.sources.map {
                        "\($0.source.replacingOccurrences(of: "audit/", with: "")) \($0.records) records in "
                            + "\($0.blobs) blobs, \($0.windows) windows, done at \(fixed($0.doneSeconds, 1)) s"
                    }.joined(separator: "; ") + ".")
        }
        if let first = results.first, first.dropped > 0 {
            lines.append(
                "The embedded broker dropped up to \(results.map(\.dropped).max() ?? 0) acknowledged records from "
                    + "\(first.droppingPartitions) partition(s) beyond its ~5 MiB per partition (hot key "
                    + "`\(first.largestKey.0)`, \(mb(first.largestKey.1)) MB still kept); the check accounts for them "
                    + "by offset (every offset is an expected record; the ids not read back are exactly as many "
                    + "as the records dropped), and the raw producer replays kept records of the same partitions "
                    + "in their place.")
        }
        lines.append(
            "Setup is timed from `run()` to the collector's \"\(RunMarks.setupDoneMessage)\" log line; the "
                + "collection from there to its last window's progress report (checkpoint acknowledged).")
        if rdkafka == nil {
            lines.append(
                "rdkafka_performance: not run (build it with `bash Benchmarks/run.sh` or pass "
                    + "`--rdkafka-performance PATH`).")
        } else {
            lines.append(
                "rdkafka_performance sends unkeyed records without headers of the average size of ours "
                    + "(key + value + headers), with the settings Benchmarks/run.sh gives it.")
        }
        return lines.joined(separator: "\n")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// A measurement that failed (not a usage error: no usage text).
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// `24` rather than `24.0`, `2.5` as is.
func short(_ value: Double) -> String { String(format: "%g", value) }

func mb(_ bytes: Int) -> String { fixed(Double(bytes) / 1e6, 1) }

/// Progress goes to stderr; stdout holds only the report.
func note(_ text: String) { FileHandle.standardError.write(Data("==> \(text)\n".utf8)) }
