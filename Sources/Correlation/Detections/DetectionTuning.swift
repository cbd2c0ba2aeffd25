import Events
public import Foundation

/// The `--detection-tuning` file: the detections' tuning for every tenant (`defaults`) and for
/// particular ones (`tenants`, by tenant id; each key given there replaces the default's).
/// Checked whole when read, so a mistake fails the start with every problem named, rather than
/// silently leaving a detection untuned:
///
/// ```json
/// {"defaults": {"allowedExternalDomains": ["partner.example"], "fanInMailboxes": 3},
///  "tenants": {"<tenant id>": {"vipUsers": ["ceo@contoso.com"],
///    "suppressions": [{"detection": "hidingRule", "user": "alice@contoso.com",
///                      "reason": "INC-1234: her own newsletter rule", "expires": "2027-01-31T00:00:00Z"}]}}}
/// ```
public struct DetectionTuning: Sendable, Hashable {
    public var defaults: DetectionConfiguration
    /// By tenant id, lower-cased.
    public var tenants: [String: DetectionConfiguration]

    public init(
        defaults: DetectionConfiguration = DetectionConfiguration(), tenants: [String: DetectionConfiguration] = [:]
    ) {
        self.defaults = defaults
        self.tenants = tenants
    }

    /// Every key a tuning object may hold, with what it takes.
    public static let keys: [String: String] = [
        "loginThenPhishWindow": "a duration such as \"24h\"", "takeoverWindow": "a duration",
        "massMailRecipients": "a whole number ≥ 1", "failureBurstCount": "a whole number ≥ 1",
        "failureBurstWindow": "a duration", "impossibleTravelKilometresPerHour": "a number > 0",
        "impossibleTravelMinimumKilometres": "a number ≥ 0", "baselineSignIns": "a whole number ≥ 0",
        "massDeletionItems": "a whole number ≥ 1", "massDeletionWindow": "a duration",
        "fanInMailboxes": "a whole number ≥ 2", "fanInWindow": "a duration",
        "allowedExternalDomains": "a list of domains", "allowedExternalAddresses": "a list of addresses",
        "vipUsers": "a list of user principal names", "vipTitleWords": "a list of words",
        "hidingKeywords": "a list of words", "suppressions": "a list of suppressions",
    ]

    /// The tuning in a JSON file, checked.
    public init(file path: String) throws(DetectionTuningError) {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DetectionTuningError(["cannot read \(path): \(error.localizedDescription)"])
        }
        do {
            try self.init(json: bytes)
        } catch {
            throw DetectionTuningError(error.problems.map { "\(path): \($0)" })
        }
    }

    public init(json bytes: [UInt8]) throws(DetectionTuningError) {
        let root: JSONValue
        do {
            root = try BoundedJSONDecoder().decode(JSONValue.self, from: bytes)
        } catch {
            throw DetectionTuningError(["not JSON: \(error.message)"])
        }
        guard case .object(let members) = root else {
            throw DetectionTuningError(["expected an object with \"defaults\" and \"tenants\""])
        }
        var reader = TuningReader()
        for key in members.keys.sorted() where key != "defaults" && key != "tenants" {
            reader.problems.append("unknown key \"\(key)\" at the top (expected \"defaults\" and \"tenants\")")
        }
        let defaults = reader.configuration(members["defaults"], base: DetectionConfiguration(), at: "defaults")
        var tenants: [String: DetectionConfiguration] = [:]
        if let value = members["tenants"] {
            if case .object(let byTenant) = value {
                for tenant in byTenant.keys.sorted() {
                    guard !tenant.isEmpty else {
                        reader.problems.append("tenants: a tenant id is empty")
                        continue
                    }
                    tenants[tenant.lowercased()] = reader.configuration(
                        byTenant[tenant], base: defaults, at: "tenants.\(tenant)")
                }
            } else {
                reader.problems.append("tenants: expected an object by tenant id")
            }
        }
        guard reader.problems.isEmpty else { throw DetectionTuningError(reader.problems) }
        self.init(defaults: defaults, tenants: tenants)
    }

    /// Suppressions that have expired by `now`: harmless, but worth a line in the log.
    public func expiredSuppressions(at now: Date) -> [String] {
        let all = [("defaults", defaults)] + tenants.sorted { $0.key < $1.key }.map { ("tenants.\($0.key)", $0.value) }
        return all.flatMap { place, configuration in
            configuration.suppressions.filter { $0.expires <= now }.map { "\(place): \"\($0.reason)\"" }
        }
    }
}

/// A tuning file that cannot be used, with every problem and where it is.
public struct DetectionTuningError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "\n") }
}

/// Reads tuning objects, collecting every problem rather than stopping at the first.
private struct TuningReader {
    var problems: [String] = []

    mutating func configuration(_ value: JSONValue?, base: DetectionConfiguration, at place: String)
        -> DetectionConfiguration
    {
        guard let value else { return base }
        guard case .object(let members) = value else {
            problems.append("\(place): expected an object of tuning keys")
            return base
        }
        var tuned = base
        for key in members.keys.sorted() {
            guard let member = members[key] else { continue }
            let at = "\(place).\(key)"
            switch key {
            case "loginThenPhishWindow":
                duration(member, at: at, stateful: true).map { tuned.loginThenPhishWindow = $0 }
            case "takeoverWindow": duration(member, at: at, stateful: true).map { tuned.takeoverWindow = $0 }
            case "failureBurstWindow": duration(member, at: at, stateful: true).map { tuned.failureBurstWindow = $0 }
            case "massDeletionWindow": duration(member, at: at, stateful: true).map { tuned.massDeletionWindow = $0 }
            case "fanInWindow": duration(member, at: at, longest: 30 * 86400).map { tuned.fanInWindow = $0 }
            case "massMailRecipients": whole(member, atLeast: 1, at: at).map { tuned.massMailRecipients = $0 }
            case "failureBurstCount": whole(member, atLeast: 1, at: at).map { tuned.failureBurstCount = $0 }
            case "baselineSignIns": whole(member, atLeast: 0, at: at).map { tuned.baselineSignIns = $0 }
            case "massDeletionItems": whole(member, atLeast: 1, at: at).map { tuned.massDeletionItems = $0 }
            case "fanInMailboxes": whole(member, atLeast: 2, at: at).map { tuned.fanInMailboxes = $0 }
            case "impossibleTravelKilometresPerHour":
                number(member, atLeast: 1, at: at).map { tuned.impossibleTravelKilometresPerHour = $0 }
            case "impossibleTravelMinimumKilometres":
                number(member, atLeast: 0, at: at).map { tuned.impossibleTravelMinimumKilometres = $0 }
            case "allowedExternalDomains":
                words(
                    member, at: at, check: { $0.contains(".") && !$0.contains("@") },
                    what: "a domain such as partner.example"
                )
                .map { tuned.allowedExternalDomains = Set($0) }
            case "allowedExternalAddresses":
                words(member, at: at, check: { $0.contains("@") }, what: "an address such as archive@partner.example")
                    .map { tuned.allowedExternalAddresses = Set($0) }
            case "vipUsers":
                words(member, at: at, check: { $0.contains("@") }, what: "a user principal name").map {
                    tuned.vipUsers = Set($0)
                }
            case "vipTitleWords": words(member, at: at).map { tuned.vipTitleWords = Set($0) }
            case "hidingKeywords": words(member, at: at).map { tuned.hidingKeywords = $0 }
            case "suppressions": tuned.suppressions = suppressions(member, at: at)
            default:
                problems.append(
                    "\(at): unknown key (known: \(DetectionTuning.keys.keys.sorted().joined(separator: ", ")))")
            }
        }
        return tuned
    }

    /// Windows over a user's state cannot be longer than the state keeps events.
    static let longestStatefulWindow = StateLimits().retention.seconds - 86400

    mutating func duration(
        _ value: JSONValue, at place: String, stateful: Bool = false, longest: Double = .infinity
    ) -> Duration? {
        let seconds: Double?
        switch value {
        case .integer(let number): seconds = Double(number)
        case .number(let number): seconds = number
        case .string(let text): seconds = Self.seconds(text)
        default: seconds = nil
        }
        guard let seconds, seconds > 0, seconds.isFinite else {
            problems.append("\(place): expected a duration longer than zero, such as \"30m\", \"24h\" or \"7d\"")
            return nil
        }
        let limit = stateful ? Self.longestStatefulWindow : longest
        guard seconds <= limit else {
            problems.append(
                "\(place): at most \(Int(limit / 86400)) days: "
                    + (stateful ? "a user's state forgets events older than that" : "the fan-in table is bounded"))
            return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `90s`, `30m`, `24h`, `7d`, or a number of seconds.
    static func seconds(_ text: String) -> Double? {
        let lowered = text.lowercased()
        for (suffix, factor) in [("ms", 0.001), ("s", 1.0), ("m", 60), ("h", 3600), ("d", 86400)]
        where lowered.hasSuffix(suffix) {
            return Double(lowered.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(lowered)
    }

    mutating func whole(_ value: JSONValue, atLeast minimum: Int, at place: String) -> Int? {
        guard case .integer(let number) = value, number >= minimum, number <= 1_000_000 else {
            problems.append("\(place): expected a whole number of at least \(minimum)")
            return nil
        }
        return Int(number)
    }

    mutating func number(_ value: JSONValue, atLeast minimum: Double, at place: String) -> Double? {
        let number: Double? =
            switch value {
            case .integer(let whole): Double(whole)
            case .number(let fraction): fraction
            default: nil
            }
        guard let number, number >= minimum, number.isFinite else {
            problems.append("\(place): expected a number of at least \(Int(minimum))")
            return nil
        }
        return number
    }

    mutating func words(
        _ value: JSONValue, at place: String, check: (String) -> Bool = { !$0.isEmpty }, what: String = "a word"
    ) -> [String]? {
        guard case .array(let items) = value else {
            problems.append("\(place): expected a list of strings")
            return nil
        }
        var words: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item, check(text.lowercased()) else {
                problems.append("\(place)[\(index)]: expected \(what)")
                continue
            }
            words.append(text.lowercased())
        }
        return words
    }

    mutating func suppressions(_ value: JSONValue, at place: String) -> [Suppression] {
        guard case .array(let items) = value else {
            problems.append("\(place): expected a list of suppressions")
            return []
        }
        var suppressions: [Suppression] = []
        for (index, item) in items.enumerated() {
            let at = "\(place)[\(index)]"
            guard case .object(let members) = item else {
                problems.append("\(at): expected an object with reason, expires and detection, user or recipient")
                continue
            }
            for key in members.keys.sorted()
            where !["detection", "user", "recipient", "reason", "expires"].contains(key) {
                problems.append("\(at).\(key): unknown key (known: detection, user, recipient, reason, expires)")
            }
            var detection: Detection?
            if let name = members["detection"] {
                detection = name.stringValue.flatMap(Detection.init(rawValue:))
                if detection == nil {
                    problems.append(
                        "\(at).detection: expected one of \(Detection.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
            var user: String?
            var recipient: String?
            for (name, check, what) in [
                ("user", { (text: String) in text.contains("@") }, "a user principal name or *@domain"),
                ("recipient", { (text: String) in text.contains(".") }, "an address or a domain"),
            ] {
                guard let value = members[name] else { continue }
                // A field that does not read would widen the suppression to everyone: refuse it.
                guard let text = value.stringValue, check(text) else {
                    problems.append("\(at).\(name): expected \(what)")
                    continue
                }
                if name == "user" { user = text } else { recipient = text }
            }
            if detection == nil && user == nil && recipient == nil {
                problems.append("\(at): name what it suppresses: a detection, a user or a recipient (or several)")
            }
            let reason = members["reason"]?.stringValue ?? ""
            if reason.allSatisfy(\.isWhitespace) {
                problems.append("\(at).reason: say why (a ticket, a person), so the next analyst knows")
            }
            let expires = members["expires"]?.stringValue.flatMap(MicrosoftTime.parse)
            if expires == nil {
                problems.append(
                    "\(at).expires: expected a time such as \"2027-01-31T00:00:00Z\"; a suppression must end")
            }
            if let expires, !reason.isEmpty {
                suppressions.append(
                    Suppression(
                        detection: detection, user: user, recipient: recipient, reason: reason, expires: expires))
            }
        }
        return suppressions
    }
}
