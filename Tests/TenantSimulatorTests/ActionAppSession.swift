import Foundation
import Testing

@testable import TenantSimulator

/// A running simulator and a Graph token of its action app (the one with write permissions),
/// for tests of writes, read-backs and the request ledger over loopback HTTP.
struct ActionAppSession {
    static let graphScope = "https://graph.microsoft.com/.default"

    let simulator: RunningSimulator
    let token: String

    var tenant: SimulatedTenant { simulator.tenant }
    var world: SimulatedWorld { simulator.tenant.world }

    static func start(
        _ configuration: SimulatorConfiguration = Fixtures.configuration(scenarios: ["account-takeover"]),
        faults: FaultPlan = FaultPlan()
    ) async throws -> ActionAppSession {
        let simulator = try await RunningSimulator.start(configuration, faults: faults)
        let apps = simulator.tenant.apps
        let token = try await simulator.token(
            scope: graphScope, clientId: apps.actions.clientId, secret: apps.actions.clientSecret)
        return ActionAppSession(simulator: simulator, token: token)
    }

    func stop() async { await simulator.stop() }

    /// One Graph call with the action app's token; `requestId` goes in `client-request-id`.
    func graph(
        _ method: String, _ path: String, json: String? = nil, requestId: String? = nil, token: String? = nil
    ) async throws -> HTTPExchange {
        var headers = ["Authorization": "Bearer " + (token ?? self.token)]
        if json != nil { headers["Content-Type"] = "application/json" }
        if let requestId { headers["client-request-id"] = requestId }
        return try await simulator.send(method, path, headers: headers, body: json.map { Data($0.utf8) })
    }

    /// `GET /sim/writes` as JSON.
    func writes() async throws -> [String: Any] {
        try #require(try await simulator.send("GET", "/sim/writes").object)
    }

    /// The `byRequestId` entry of `requestId` in `/sim/writes`.
    func ledger(_ requestId: String) async throws -> [String: Any]? {
        (try await writes()["byRequestId"] as? [String: Any])?[requestId] as? [String: Any]
    }

    func setFaults(_ json: String) async throws {
        let response = try await simulator.send("PUT", "/sim/faults", body: Data(json.utf8))
        #expect(response.status == 200, "PUT /sim/faults: \(response.text)")
    }
}
