import ArgumentParser
import Foundation
import Logging
import TenantSimulator

/// `inboxwatch simulate`: a local Microsoft 365 tenant (token endpoint,
/// Management Activity API, Graph) with seeded attack scenarios and ground truth.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulated Microsoft 365 tenant on loopback, with attack scenarios and their ground truth.",
        discussion: """
            Prints the base URL, tenant id, client id and the demo client secret, then serves until
            SIGINT or SIGTERM. GET /sim/info repeats them as JSON; /sim/ground-truth, /sim/state,
            /sim/writes, /sim/faults and /sim/clock inspect and steer the tenant. The same --seed and
            --start give byte-identical content listings and blobs.

            Scenarios: \(ScenarioCatalog.all.map(\.name).joined(separator: ", ")), or 'all' for every attack.
            """
    )

    @Option(
        name: .customLong("scenario"),
        help: "An attack scenario to play (repeatable); the benign background always runs.")
    var scenarios: [String] = ["account-takeover"]

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 7

    @Option(help: "Address to listen on. Keep it on loopback: the simulator has demo credentials.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(help: "Users in the tenant.")
    var users: Int = 50

    @Option(help: "Hours of activity to simulate.")
    var hours: Double = 6

    @Option(help: "First event time (YYYY-MM-DDTHH:MM:SSZ); default: so that the span ends 10 minutes from now.")
    var start: String?

    @Option(help: "Benign events per user per hour.")
    var backgroundRate: Double = 2

    @Option(help: "Multiplies publication delays (1 = realistic, 0.01 = an hour becomes 36 s).")
    var timeScale: Double = 1

    @Option(help: "Share of records published hours late.")
    var lateFraction: Double = 0.03

    @Option(help: "Share of records published twice.")
    var duplicateFraction: Double = 0.01

    @Option(help: "Malformed records to hide among the real ones.")
    var malformedRecords: Int = 0

    @Option(help: "Blobs per content listing page.")
    var listingPageSize: Int = 20

    @Option(help: "Share of Graph calls answered 429 with Retry-After.")
    var graphThrottle: Double = 0

    @Option(help: "Share of Management API calls answered 403 AF429.")
    var managementThrottle: Double = 0

    @Option(help: "Share of calls answered with a 5xx.")
    var serverErrors: Double = 0

    @Option(help: "Share of calls answered slowly.")
    var slowFraction: Double = 0

    @Option(help: "Delay of a slow answer, in seconds.")
    var slowSeconds: Double = 2

    @Option(help: "Share of blobs that answer AF20051 (expired) early.")
    var expiredBlobs: Double = 0

    @Option(help: "Lifetime of issued tokens in seconds (short values make tokens expire early).")
    var tokenLifetime: Double = 3599

    @Option(
        help: "A PEM file with an RSA public key (2048 bits or more) the collector app accepts client assertions from.")
    var clientPublicKey: String?

    @Option(help: "The x5t an assertion signed with --client-public-key must carry (default: any).")
    var clientKeyThumbprint: String?

    @Option(
        name: .customLong("withhold-permission"),
        help: ArgumentHelp(
            "APP:ROLE: an application permission not granted to the collector or actions app (repeatable), "
                + "e.g. collector:IdentityRiskyUser.Read.All; its tokens lack the role and its endpoints answer 403.",
            valueName: "app:role"))
    var withheldPermissions: [String] = []

    @Flag(help: "Print /sim/info as JSON instead of lines.")
    var json = false

    @OptionGroup var common: CommonOptions

    func makeConfiguration(now: Date) throws -> (SimulatorConfiguration, FaultPlan) {
        let chosen = scenarios.flatMap { $0 == "all" ? ScenarioCatalog.attacks.map(\.name) : [$0] }
        let startDate: Date
        if let start {
            guard let parsed = SimTime.parseWindowTime(start) else {
                throw ValidationError("--start \(start) is not a UTC time like 2026-11-20T08:00:00Z")
            }
            startDate = parsed
        } else {
            let minute = (now.timeIntervalSince1970 / 60).rounded(.down) * 60
            startDate = Date(timeIntervalSince1970: minute - hours * 3600 + 600)
        }
        let configuration = SimulatorConfiguration(
            seed: seed, scenarios: chosen, start: startDate, duration: hours * 3600, userCount: users,
            backgroundRate: backgroundRate,
            publication: PublicationProfile(
                lateFraction: lateFraction, duplicateFraction: duplicateFraction, timeScale: timeScale),
            malformedRecords: malformedRecords, listingPageSize: listingPageSize, tokenLifetime: 3599)
        var faults = FaultPlan()
        faults.graphThrottleFraction = graphThrottle
        faults.managementThrottleFraction = managementThrottle
        faults.serverErrorFraction = serverErrors
        faults.slowResponseFraction = slowFraction
        faults.slowResponseSeconds = slowSeconds
        faults.expiredBlobFraction = expiredBlobs
        faults.tokenLifetimeSeconds = tokenLifetime == 3599 ? nil : tokenLifetime
        var problems = configuration.problems() + faults.problems()
        if !(0...1).contains(lateFraction) { problems.append("--late-fraction must be between 0 and 1") }
        if !(0...1).contains(duplicateFraction) { problems.append("--duplicate-fraction must be between 0 and 1") }
        if malformedRecords < 0 { problems.append("--malformed-records must not be negative") }
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        return (configuration, faults)
    }

    func withheld() throws -> [WithheldPermission] {
        var problems: [String] = []
        var withheld: [WithheldPermission] = []
        for text in withheldPermissions {
            guard let permission = WithheldPermission(parsing: text) else {
                problems.append("--withhold-permission \(text) is not APP:ROLE with APP collector or actions")
                continue
            }
            if let problem = SimulatorApps.problem(withholding: permission) {
                problems.append("--withhold-permission \(text): \(problem)")
            }
            withheld.append(permission)
        }
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        return withheld
    }

    func run() async throws {
        common.bootstrapLogging()
        let logger = Logger(label: "inboxwatch.simulate")
        let (configuration, faults) = try makeConfiguration(now: Date())
        let tenant = SimulatedTenant(
            configuration: configuration, clock: .wall, faults: faults, withheld: try withheld())
        if let clientPublicKey {
            let pem: String
            do {
                pem = try String(contentsOfFile: clientPublicKey, encoding: .utf8)
            } catch {
                throw ValidationError(
                    "--client-public-key \(clientPublicKey) cannot be read: \(error.localizedDescription)")
            }
            do {
                try await tenant.registerCertificate(
                    clientId: tenant.apps.collector.clientId, publicKeyPEM: pem, thumbprint: clientKeyThumbprint)
            } catch {
                throw ValidationError(
                    "--client-public-key \(clientPublicKey) is not a PEM RSA public key of 2048 bits or more (\(error))"
                )
            }
        }
        logger.info(
            "simulated tenant ready",
            metadata: [
                "users": "\(tenant.world.directory.users.count)",
                "auditRecords": "\(tenant.world.timeline.auditRecords.count)",
                "expectedStories": "\(tenant.world.groundTruth.expectedStories.count)",
            ])
        let printJSON = json
        let stop: @Sendable () async -> Void = {
            let signal = await waitForTerminationSignal()
            logger.info("signal \(signal) received, stopping the simulator")
        }
        try await SimulatorServer.run(tenant: tenant, host: host, port: port, stop: stop, logger: logger) { url in
            let info = tenant.info(baseURL: url)
            let text: String
            if printJSON {
                text = String(decoding: info.serialized(), as: UTF8.self)
            } else {
                text = ["baseURL", "tenantId", "clientId", "clientSecret"].map { key in
                    "\(key): \(info[key]?.stringValue ?? "")"
                }.joined(separator: "\n")
            }
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
            logger.info("serving at \(url); ground truth at \(url)/sim/ground-truth; stop with Ctrl-C")
        }
        logger.info("simulator stopped")
    }
}
