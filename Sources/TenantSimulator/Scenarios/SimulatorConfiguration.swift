public import Foundation

/// Everything that decides what the simulated tenant contains. Two simulators
/// with equal configurations serve byte-identical listings and blobs.
public struct SimulatorConfiguration: Sendable, Hashable {
    public var seed: UInt64
    /// Scenario names from ``ScenarioCatalog``; `benign` background always runs.
    public var scenarios: [String]
    /// The first event time. Events spread over `[start, start + duration]`.
    public var start: Date
    public var duration: TimeInterval
    public var userCount: Int
    /// Benign background events per user per hour.
    public var backgroundRate: Double
    public var publication: PublicationProfile
    /// Share of audit records with quirks (string numbers, string parameters, ports in IPs, ...).
    public var quirkRate: Double
    /// Malformed records to hide among real ones (a fault the collectors must survive).
    public var malformedRecords: Int
    /// Records per content listing page.
    public var listingPageSize: Int
    /// Records are gathered into one blob per content type per this interval of publication time.
    public var blobInterval: TimeInterval
    /// Most records in one blob.
    public var blobCapacity: Int
    /// Items per Graph page (the `$top` default).
    public var graphPageSize: Int
    /// How long issued access tokens live.
    public var tokenLifetime: TimeInterval

    public init(
        seed: UInt64 = 7, scenarios: [String] = ["account-takeover"], start: Date, duration: TimeInterval = 6 * 3600,
        userCount: Int = 50, backgroundRate: Double = 2, publication: PublicationProfile = .init(),
        quirkRate: Double = 0.3, malformedRecords: Int = 0, listingPageSize: Int = 20, blobInterval: TimeInterval = 300,
        blobCapacity: Int = 200, graphPageSize: Int = 50, tokenLifetime: TimeInterval = 3599
    ) {
        self.seed = seed
        self.scenarios = scenarios
        self.start = start
        self.duration = duration
        self.userCount = userCount
        self.backgroundRate = backgroundRate
        self.publication = publication
        self.quirkRate = quirkRate
        self.malformedRecords = malformedRecords
        self.listingPageSize = listingPageSize
        self.blobInterval = blobInterval
        self.blobCapacity = blobCapacity
        self.graphPageSize = graphPageSize
        self.tokenLifetime = tokenLifetime
    }

    /// What is wrong with this configuration, if anything, in words a user can act on.
    public func problems() -> [String] {
        var problems: [String] = []
        let known = Set(ScenarioCatalog.all.map(\.name))
        for name in scenarios where !known.contains(name) {
            problems.append(
                "unknown scenario '\(name)'; known scenarios: \(ScenarioCatalog.all.map(\.name).joined(separator: ", "))"
            )
        }
        if duration <= 0 { problems.append("duration must be positive (got \(duration) s)") }
        if userCount < 10 || userCount > 20_000 {
            problems.append("users must be between 10 and 20000 (got \(userCount))")
        }
        if backgroundRate < 0 { problems.append("background rate must not be negative (got \(backgroundRate))") }
        if listingPageSize < 1 { problems.append("listing page size must be at least 1") }
        if blobCapacity < 1 { problems.append("blob capacity must be at least 1") }
        if blobInterval <= 0 { problems.append("blob interval must be positive") }
        if graphPageSize < 1 || graphPageSize > 1000 { problems.append("Graph page size must be between 1 and 1000") }
        if publication.timeScale <= 0 { problems.append("publication time scale must be positive") }
        if tokenLifetime < 10 { problems.append("token lifetime must be at least 10 s") }
        return problems
    }
}
