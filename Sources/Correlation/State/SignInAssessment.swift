import Foundation

/// Why a sign-in is suspicious, judged against the user's earlier sign-ins. Empty reasons mean
/// it is not.
public struct SignInAssessment: Sendable, Hashable, Codable {
    public var reasons: [String]
    public var isSuspicious: Bool { !reasons.isEmpty }

    public init(reasons: [String]) {
        self.reasons = reasons
    }

    /// Judges a successful interactive sign-in from Graph. Failures are never suspicious on their
    /// own (they are what a burst is made of), and sign-ins from the audit log carry no location or
    /// risk, so they are not judged: their Graph copy is.
    public static func assess(
        _ event: SecurityEvent, state: UserState, configuration: DetectionConfiguration
    ) -> SignInAssessment? {
        guard event.kind == .signIn, let detail = event.signIn, detail.succeeded, !detail.fromAuditLog else {
            return nil
        }
        var reasons: [String] = []
        if let risk = detail.riskLevel?.lowercased(), risk == "medium" || risk == "high" {
            reasons.append("risk \(risk) during sign-in")
        }
        if let riskState = detail.riskState, ["atrisk", "confirmedcompromised"].contains(riskState.lowercased()) {
            reasons.append("user \(riskState)")
        }
        let hasBaseline = state.successfulSignIns >= configuration.baselineSignIns
        // A new country from a device the tenant manages, with a second factor, is the user
        // travelling: a stolen password or token brings neither.
        let vouchedFor = detail.singleFactor == false && detail.knownDevice == true
        if hasBaseline, !vouchedFor, let country = event.country, state.countries[country] == nil {
            reasons.append("first sign-in from \(country)")
        }
        if let travel = impossibleTravel(event, state: state, configuration: configuration) {
            reasons.append(travel)
        }
        let burstStart = event.time.addingTimeInterval(-configuration.failureBurstWindow.seconds)
        let failures = state.signIns.filter { !$0.succeeded && $0.time >= burstStart && $0.time <= event.time }.count
        if failures >= configuration.failureBurstCount {
            reasons.append("\(failures) failed sign-ins before this success")
        }
        if hasBaseline, detail.singleFactor == true, detail.knownDevice == false,
            let network = event.ipAddress.map(Network.of),
            state.networks[network] == nil
        {
            reasons.append("single-factor sign-in from an unknown device on a new network")
        }
        return SignInAssessment(reasons: reasons)
    }

    /// Entra error codes that interrupt a sign-in to ask for more (MFA required or pending, device
    /// registration, consent, "keep me signed in"): a burst of those is a user at work.
    static let interrupts: Set<Int> = [
        16000, 16001, 50058, 50072, 50074, 50076, 50079, 50097, 50125, 50129, 50140, 50158, 50199, 65001, 81010,
        81012, 81016,
    ]

    static func isInterrupt(_ code: Int?) -> Bool { code.map(interrupts.contains) ?? false }

    /// `suspicious sign-in from 203.0.113.7 (RU): first sign-in from RU`, for timelines.
    static func summary(_ event: SecurityEvent, _ assessment: SignInAssessment) -> String {
        let place = [event.ipAddress, event.country.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        return "suspicious sign-in from \(place): " + assessment.reasons.joined(separator: "; ")
    }

    /// The previous successful sign-in with coordinates, if reaching this one from it would need
    /// an impossible speed.
    static func impossibleTravel(
        _ event: SecurityEvent, state: UserState, configuration: DetectionConfiguration
    ) -> String? {
        guard let lat = event.signIn?.latitude, let lon = event.signIn?.longitude else { return nil }
        guard
            let previous = state.signIns.last(where: {
                $0.succeeded && $0.time <= event.time && $0.latitude != nil && $0.longitude != nil
            }), let plat = previous.latitude, let plon = previous.longitude
        else { return nil }
        let kilometres = greatCircleKilometres(lat, lon, plat, plon)
        guard kilometres >= configuration.impossibleTravelMinimumKilometres else { return nil }
        let hours = max(event.time.timeIntervalSince(previous.time) / 3600, 1.0 / 60)
        let speed = kilometres / hours
        guard speed > configuration.impossibleTravelKilometresPerHour else { return nil }
        let from = previous.country ?? previous.ipAddress ?? "elsewhere"
        return "impossible travel: \(Int(kilometres)) km from \(from) in \(Int(hours * 60)) min"
    }

    static func greatCircleKilometres(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let radians = Double.pi / 180
        let dLat = (lat2 - lat1) * radians
        let dLon = (lon2 - lon1) * radians
        let a =
            sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * radians) * cos(lat2 * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 6371 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }
}

/// The network an address belongs to, for "new network" checks: IPv4 /24, IPv6 /48.
enum Network {
    /// The eight groups of an IPv6 address, `::` expanded, leading zeros dropped:
    /// `2a0d::1` → `2a0d 0 0 0 0 0 0 1`, so a /48 is the same however the address was written.
    static func expandedGroups(_ address: String) -> [String] {
        let halves = address.lowercased().components(separatedBy: "::")
        func groups(_ text: String) -> [String] {
            text.split(separator: ":").map { group in
                let trimmed = group.drop { $0 == "0" }
                return trimmed.isEmpty ? "0" : String(trimmed)
            }
        }
        let head = groups(halves[0])
        let tail = halves.count > 1 ? groups(halves[1]) : []
        let zeros = Array(repeating: "0", count: max(0, 8 - head.count - tail.count))
        return head + (halves.count > 1 ? zeros : []) + tail
    }

    static func of(_ address: String) -> String {
        if address.contains(":") {
            return expandedGroups(address).prefix(3).joined(separator: ":") + "::/48"
        }
        let octets = address.split(separator: ".")
        guard octets.count == 4 else { return address }
        return octets.prefix(3).joined(separator: ".") + ".0/24"
    }
}

extension Duration {
    /// Whole and fractional seconds, for date arithmetic.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
