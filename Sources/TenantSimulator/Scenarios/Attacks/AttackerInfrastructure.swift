import Foundation

/// What attackers use from outside the tenant: addresses, places, mail domains
/// and lures. Nothing here belongs to the tenant or to any user's habits, so
/// every use of it is new for the victim.
enum Attacker {
    /// Tor exit nodes.
    static func torExitIP(_ random: inout SeededGenerator) -> String { "185.220.101.\(random.between(2...254))" }

    /// A bulletproof hosting range.
    static func hostingIP(_ random: inout SeededGenerator) -> String { "45.155.205.\(random.between(2...254))" }

    /// A VPS in 2a0d:5600::/32.
    static func ipv6(_ random: inout SeededGenerator) -> String {
        let groups = (0..<3).map { _ in String(random.between(1...0xFFFF), radix: 16) }
        return "2a0d:5600:" + groups[0] + ":" + groups[1] + "::" + groups[2]
    }

    static let lagos = Place(
        city: "Lagos", state: "Lagos", countryOrRegion: "NG", latitude: "6.5244", longitude: "3.3792")
    static let moscow = Place(
        city: "Moscow", state: "Moscow", countryOrRegion: "RU", latitude: "55.7558", longitude: "37.6173")
    static let saoPaulo = Place(
        city: "São Paulo", state: "São Paulo", countryOrRegion: "BR", latitude: "-23.5505", longitude: "-46.6333")

    /// Free-mail and look-alike domains attackers receive stolen mail at.
    static let dropDomains = ["proton-mail.example", "gmail.example", "contoso-billing.example"]

    /// An external mailbox named after the victim, where forwarded mail lands.
    static func dropAddress(for victim: SimulatedUser, random: inout SeededGenerator) -> String {
        let local = victim.userPrincipalName.split(separator: "@").first.map(String.init) ?? "mail"
        return local.replacingOccurrences(of: ".", with: "_") + ".\(random.between(10...99))@"
            + random.pick(dropDomains)
    }

    /// A credential-phishing link.
    static func lureURL(_ random: inout SeededGenerator) -> String {
        "https://login.microsoftonline-secure.example/common/oauth2/authorize?session="
            + random.base64url(byteCount: 18)
    }

    /// A sign-in from the attacker's infrastructure: single factor, unmanaged device.
    @discardableResult
    static func signIn(
        _ victim: SimulatedUser, builder: inout ScenarioBuilder, at time: Date, ip: String, place: Place,
        errorCode: Int = 0, riskLevel: SignInEvent.RiskLevel = .none, riskEventTypes: [String] = [],
        userAgent: String = UserAgents.pythonRequests
    ) -> (event: SignInEvent, recordId: String) {
        let event = builder.signIn(
            victim, at: time, ip: ip, place: place, errorCode: errorCode, riskLevel: riskLevel,
            riskEventTypes: riskEventTypes, multiFactor: false, managedDevice: false, app: Apps.owa,
            userAgent: userAgent)
        return (event, builder.auditRecordID(of: event) ?? event.id)
    }

    /// The victim's ordinary start before the attack: a multi-factor sign-in from a
    /// usual address at home on a managed device, and a clean message read. It is
    /// the history against which the attacker's sign-in is new.
    @discardableResult
    static func ordinaryStart(_ victim: SimulatedUser, builder: inout ScenarioBuilder, at time: Date) -> (
        event: SignInEvent, recordId: String
    ) {
        let ip = victim.usualIPs[0]
        let event = builder.signIn(victim, at: time, ip: ip, place: victim.home)
        let recordId = builder.auditRecordID(of: event) ?? event.id
        let (message, _) = builder.deliverMail(
            to: victim, from: Recipient(name: "Fabrikam Updates", address: "updates@fabrikam.example"),
            subject: "Your weekly project summary", body: "Three tasks were completed this week.",
            at: time.addingTimeInterval(60))
        builder.readMail(victim, messages: [message], at: time.addingTimeInterval(180), clientIP: ip)
        return (event, recordId)
    }
}

/// Times of one attack, in minutes after an anchor early in the run; squeezed
/// (keeping the order) when the run is too short for the whole plan.
struct AttackClock {
    var anchor: Date
    var scale: Double

    init(_ context: ScenarioContext, random: inout SeededGenerator, plannedMinutes: Double) {
        anchor = context.time(at: 0.1 + 0.15 * random.unit())
        let room = context.end.timeIntervalSince(anchor) * 0.9
        scale = min(1, room / (plannedMinutes * 60))
    }

    func at(_ minutes: Double) -> Date { anchor.addingTimeInterval(minutes * 60 * scale) }
}
