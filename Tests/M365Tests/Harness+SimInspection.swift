import Foundation
import HTTP
import Testing

/// What a test may ask the simulator over HTTP that a real tenant would never tell.
extension Harness {
    /// `GET /sim/<path>` as a JSON object.
    func sim(_ path: String) async throws -> [String: Any] {
        let response = try await http.execute(HTTPRequest(url: baseURL + "/sim/" + path))
        #expect(response.status == 200, "GET /sim/\(path) answered \(response.status)")
        return try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    /// The `/sim/writes` ledger entry of `requestId` (`attempts`, `succeeded`, `throttled`, ...).
    func ledger(_ requestId: String) async throws -> [String: Any]? {
        (try await sim("writes")["byRequestId"] as? [String: Any])?[requestId] as? [String: Any]
    }

    /// Replaces the fault plan through `PUT /sim/faults`.
    func setFaults(_ json: String) async throws {
        let response = try await http.execute(
            HTTPRequest(method: "PUT", url: baseURL + "/sim/faults", body: Data(json.utf8)))
        #expect(response.status == 200, "PUT /sim/faults answered \(response.status)")
    }
}
