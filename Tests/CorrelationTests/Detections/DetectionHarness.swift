import Events
import Foundation
import Testing

@testable import Correlation

/// What the detection tests share: an engine configured as a tenant would be, inputs fed in
/// event-time order (each feed's offsets renumbered, partitions kept), and the stories read back
/// as one line each (`alice@contoso.com externalForwarding medium`).
enum DetectionHarness {
    static let tenant = EngineInputs.tenant
    static let alice = "alice@contoso.com"
    static let bob = "bob@contoso.com"
    static let carol = "carol@contoso.com"
    static let dave = "dave@contoso.com"

    static func time(_ hours: Double) -> Date { EngineInputs.time(hours) }

    /// Seattle, where every user signs in from day to day.
    static let home = (ip: "198.51.100.20", country: "US", latitude: 47.6, longitude: -122.3)

    /// The engine's configuration: contoso.com (and its subdomains) is the tenant's.
    static func configuration(
        _ detection: DetectionConfiguration = DetectionConfiguration(),
        tenantDetection: [String: DetectionConfiguration] = [:], vipUsers: Set<String> = [],
        otherTenants: [String: TenantContext] = [:]
    ) -> CorrelatorConfiguration {
        var tenants = otherTenants
        tenants[tenant] = TenantContext(acceptedDomains: ["contoso.com"], vipUsers: vipUsers)
        return CorrelatorConfiguration(
            grace: .seconds(30 * 60), idleAfter: .seconds(3600), detection: detection, tenants: tenants,
            tenantDetection: tenantDetection)
    }

    /// The inputs as the topics would hold them: each feed of each partition in event-time
    /// order, offsets renumbered in that order.
    static func inOrder(_ inputs: [RawInput]) -> [RawInput] {
        let normalizer = Normalizer()
        let timed = inputs.enumerated().map { index, input in
            ((try? normalizer.normalize(input).time) ?? .distantPast, index, input)
        }
        var offsets: [String: Int64] = [:]
        return timed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { _, _, input in
            var moved = input
            let slot = "\(input.feed.rawValue)/\(input.source.partition)"
            moved.source.offset = offsets[slot, default: 0]
            offsets[slot, default: 0] += 1
            return moved
        }
    }

    /// Runs the inputs through one engine owning `partitions`, in event-time order unless `asGiven`.
    static func run(
        _ inputs: EngineInputs, configuration: CorrelatorConfiguration = configuration(), partitions: [Int32] = [0],
        asGiven: Bool = false
    ) -> EngineRun {
        var run = EngineRun(configuration: configuration, partitions: partitions)
        run.feed(asGiven ? inputs.inputs : inOrder(inputs.inputs))
        run.finish()
        return run
    }

    /// Three ordinary sign-ins from home on the day before `hours`: the user's baseline.
    static func baseline(_ inputs: inout EngineInputs, user: String, before hours: Double) {
        for index in 0..<3 {
            inputs.graphSignIn(
                user: user, id: "base-\(user)-\(index)", at: time(hours - 26 + Double(index) * 4), ip: home.ip,
                country: home.country, latitude: home.latitude, longitude: home.longitude,
                authentication: "multiFactorAuthentication", trustType: "Azure AD joined")
        }
    }

    /// A sign-in Entra ID itself calls high risk, from abroad.
    static func riskySignIn(_ inputs: inout EngineInputs, user: String, id: String, at hours: Double) {
        inputs.graphSignIn(
            user: user, id: id, at: time(hours), ip: "203.0.113.66", country: "RU", latitude: 55.75, longitude: 37.6,
            risk: "high", authentication: "singleFactorAuthentication", trustType: "")
    }

    /// An inbox rule made with `New-InboxRule` by the user, `Parameters` as `{Name, Value}`.
    static func forwardingRule(
        _ inputs: inout EngineInputs, user: String, id: String, at hours: Double, to address: String,
        extra: [(String, String)] = []
    ) {
        inputs.cmdlet(
            "New-InboxRule", [("Mailbox", user), ("Name", "Sync \(id)"), ("ForwardTo", address)] + extra, by: user,
            id: id, at: time(hours))
    }
}

extension EngineRun {
    /// Every final story as `user detection criticality`, sorted.
    var found: [String] {
        finalStories.values.map { "\($0.user) \($0.detection) \($0.criticality.rawValue)" }.sorted()
    }

    /// The final story of `detection` about `user`.
    func story(_ detection: Detection, of user: String) -> StoryView? {
        finalStories.values.first { $0.user == user && $0.detection == detection.rawValue }
    }
}
