import Foundation
import Logging

@testable import TenantSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running simulator on a free loopback port, for tests that speak real HTTP to it.
struct RunningSimulator {
    let tenant: SimulatedTenant
    let baseURL: String
    let server: RunningSimulatorServer

    /// Starts a server and waits until it is bound.
    static func start(
        _ configuration: SimulatorConfiguration, now: Date = Fixtures.afterEverything, faults: FaultPlan = FaultPlan()
    )
        async throws -> RunningSimulator
    {
        let tenant = SimulatedTenant(configuration: configuration, clock: SimulationClock(.manual(now)), faults: faults)
        let server = try await RunningSimulatorServer.start(tenant: tenant, logger: Logger(label: "test.simulator"))
        return RunningSimulator(tenant: tenant, baseURL: server.baseURL, server: server)
    }

    func stop() async {
        try? await server.stop()
    }

    /// One HTTP exchange over loopback.
    func send(_ method: String, _ urlOrPath: String, headers: [String: String] = [:], body: Data? = nil) async throws
        -> HTTPExchange
    {
        let url = URL(string: urlOrPath.hasPrefix("http") ? urlOrPath : baseURL + urlOrPath)!
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return HTTPExchange(status: http.statusCode, headers: http.allHeaderFields, body: data)
    }

    /// A client-credentials token for `scope` with the collector app's secret.
    func token(scope: String, clientId: String? = nil, secret: String? = nil) async throws -> String {
        let form = [
            "grant_type=client_credentials",
            "client_id=\(clientId ?? tenant.apps.collector.clientId)",
            "client_secret=\((secret ?? tenant.apps.collector.clientSecret).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
            "scope=\(scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
        ].joined(separator: "&")
        let response = try await send(
            "POST", "/\(tenant.world.directory.tenantId)/oauth2/v2.0/token",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(form.utf8))
        guard response.status == 200, let token = response.object?["access_token"] as? String else {
            throw SimulatorTestError.noToken(response.text)
        }
        return token
    }
}

struct HTTPExchange {
    let status: Int
    let headers: [AnyHashable: Any]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var object: [String: Any]? { Fixtures.json(body) as? [String: Any] }
    var array: [[String: Any]]? { Fixtures.json(body) as? [[String: Any]] }
    var errorCode: String? { (object?["error"] as? [String: Any])?["code"] as? String }

    func header(_ name: String) -> String? {
        headers.first { ($0.key as? String)?.caseInsensitiveCompare(name) == .orderedSame }?.value as? String
    }
}

enum SimulatorTestError: Error {
    case noToken(String)
}
