import Foundation

@testable import TenantSimulator

/// Small worlds for tests: fixed start time, so every run sees the same tenant.
enum Fixtures {
    /// 2026-11-20T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_795_132_800)

    static func configuration(
        seed: UInt64 = 7, scenarios: [String] = [], hours: Double = 6, users: Int = 30, rate: Double = 2,
        publication: PublicationProfile = PublicationProfile(), malformed: Int = 0, pageSize: Int = 5
    ) -> SimulatorConfiguration {
        SimulatorConfiguration(
            seed: seed, scenarios: scenarios, start: start, duration: hours * 3600, userCount: users,
            backgroundRate: rate, publication: publication, malformedRecords: malformed, listingPageSize: pageSize)
    }

    /// A time when everything of a 6-hour world has been published (the tail is at most 24 h).
    static var afterEverything: Date { start.addingTimeInterval(31 * 3600) }

    static let collectorRoles: Set<String> = ["ActivityFeed.Read", "ActivityFeed.ReadDlp"]

    static func json(_ data: Data) -> Any? {
        try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    static func errorCode(_ response: SimResponse) -> String? {
        ((json(response.body) as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
    }
}
