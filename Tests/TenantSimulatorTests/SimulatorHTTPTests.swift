import Foundation
import Logging
import Testing

@testable import TenantSimulator

/// The simulator as a client meets it: real HTTP on loopback, a client-credentials
/// token, the Management Activity API walked by `NextPageUri`, Graph, faults and `/sim/`.
@Suite(.serialized)
struct SimulatorHTTPTests {
    static let management = "https://manage.office.com/.default"
    static let graph = "https://graph.microsoft.com/.default"

    @Test func infoTellsHowToReachAndSignInToTheTenant() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration(scenarios: ["account-takeover"]))
        defer { Task { await simulator.stop() } }
        let info = try await simulator.send("GET", "/sim/info")
        #expect(info.status == 200)
        let object = try #require(info.object)
        #expect(object["baseURL"] as? String == simulator.baseURL)
        #expect(object["tenantId"] as? String == simulator.tenant.world.directory.tenantId)
        #expect(object["clientId"] as? String == simulator.tenant.apps.collector.clientId)
        #expect(object["clientSecret"] as? String == simulator.tenant.apps.collector.clientSecret)
        for key in ["loginBaseURL", "graphBaseURL", "managementBaseURL"] {
            #expect(object[key] as? String == simulator.baseURL)
        }
        let truth = try await simulator.send("GET", "/sim/ground-truth")
        #expect((truth.object?["expectedStories"] as? [Any])?.isEmpty == false)
        await simulator.stop()
    }

    @Test func aTokenLetsAClientWalkEveryContentPageAndFetchEveryBlob() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration(pageSize: 4))
        let tenantId = simulator.tenant.world.directory.tenantId
        let token = try await simulator.token(scope: Self.management)
        let auth = ["Authorization": "Bearer " + token]
        let feed = "/api/v1.0/\(tenantId)/activity/feed"
        let started = try await simulator.send(
            "POST",
            feed + "/subscriptions/start?contentType=Audit.AzureActiveDirectory&PublisherIdentifier=\(tenantId)",
            headers: auth)
        #expect(started.status == 200)
        var next: String? =
            feed
            + "/subscriptions/content?contentType=Audit.AzureActiveDirectory&startTime=2026-11-20T00:00:00&endTime=2026-11-21T00:00:00&PublisherIdentifier=\(tenantId)"
        var contentURIs: [String] = []
        var pages = 0
        while let url = next {
            let page = try await simulator.send("GET", url, headers: auth)
            #expect(page.status == 200, "\(page.text)")
            pages += 1
            contentURIs += (page.array ?? []).compactMap { $0["contentUri"] as? String }
            next = page.header("NextPageUri")
        }
        #expect(pages > 1)
        let expected = PublicationIndex(world: simulator.tenant.world).blobs(
            of: .azureActiveDirectory, from: Fixtures.start, to: Fixtures.start.addingTimeInterval(86_400),
            now: Fixtures.afterEverything)
        #expect(contentURIs.count == expected.count)
        var records = 0
        for uri in contentURIs.prefix(6) {
            let blob = try await simulator.send("GET", uri, headers: auth)
            #expect(blob.status == 200)
            let array = try #require(blob.array)
            records += array.count
            #expect(
                array.allSatisfy { $0["Id"] is String && $0["CreationTime"] is String && $0["Operation"] is String })
        }
        #expect(records > 0)
        await simulator.stop()
    }

    @Test func aGraphTokenIsRefusedByTheManagementAPIAndAMissingTokenBy401() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration())
        let feed = "/api/v1.0/\(simulator.tenant.world.directory.tenantId)/activity/feed/subscriptions/list"
        let none = try await simulator.send("GET", feed)
        #expect(none.status == 401)
        let graphToken = try await simulator.token(scope: Self.graph)
        let wrong = try await simulator.send("GET", feed, headers: ["Authorization": "Bearer " + graphToken])
        #expect(wrong.status == 401)
        let users = try await simulator.send("GET", "/v1.0/users", headers: ["Authorization": "Bearer " + graphToken])
        #expect(users.status == 200)
        await simulator.stop()
    }

    @Test func aWrongSecretIsRefusedTheWayEntraIDDoes() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration())
        await #expect(throws: SimulatorTestError.self) {
            _ = try await simulator.token(scope: Self.graph, secret: "not-the-secret")
        }
        let form =
            "grant_type=client_credentials&client_id=\(simulator.tenant.apps.collector.clientId)&client_secret=wrong&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        let response = try await simulator.send(
            "POST", "/\(simulator.tenant.world.directory.tenantId)/oauth2/v2.0/token",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(form.utf8))
        #expect(response.status == 401)
        #expect(response.object?["error"] as? String == "invalid_client")
        #expect((response.object?["error_description"] as? String)?.hasPrefix("AADSTS7000215") == true)
        await simulator.stop()
    }

    @Test func throttlingFaultsAnswerGraph429WithRetryAfterAndManagement403AF429() async throws {
        var faults = FaultPlan()
        faults.graphThrottleFraction = 1
        faults.graphRetryAfterSeconds = 7
        faults.managementThrottleFraction = 1
        let simulator = try await RunningSimulator.start(Fixtures.configuration(), faults: faults)
        let graphToken = try await simulator.token(scope: Self.graph)
        let graph = try await simulator.send("GET", "/v1.0/users", headers: ["Authorization": "Bearer " + graphToken])
        #expect(graph.status == 429)
        #expect(graph.header("Retry-After") == "7")
        let managementToken = try await simulator.token(scope: Self.management)
        let management = try await simulator.send(
            "GET", "/api/v1.0/\(simulator.tenant.world.directory.tenantId)/activity/feed/subscriptions/list",
            headers: ["Authorization": "Bearer " + managementToken])
        #expect(management.status == 403)
        #expect(management.errorCode == "AF429")
        // Turned off through the API, the same call succeeds.
        let off = try await simulator.send("PUT", "/sim/faults", body: Data("{}".utf8))
        #expect(off.status == 200)
        let again = try await simulator.send("GET", "/v1.0/users", headers: ["Authorization": "Bearer " + graphToken])
        #expect(again.status == 200)
        await simulator.stop()
    }

    @Test func theManagementQuotaThrottlesAPublisherThatCallsTooOften() async throws {
        var faults = FaultPlan()
        faults.managementQuotaPerMinute = 3
        let simulator = try await RunningSimulator.start(Fixtures.configuration(), faults: faults)
        let token = try await simulator.token(scope: Self.management)
        let url =
            "/api/v1.0/\(simulator.tenant.world.directory.tenantId)/activity/feed/subscriptions/list?PublisherIdentifier=p1"
        var statuses: [Int] = []
        for _ in 0..<4 {
            let response = try await simulator.send("GET", url, headers: ["Authorization": "Bearer " + token])
            statuses.append(response.status)
        }
        #expect(statuses == [200, 200, 200, 403])
        // Another publisher has its own quota.
        let other = try await simulator.send(
            "GET", url.replacingOccurrences(of: "p1", with: "p2"), headers: ["Authorization": "Bearer " + token])
        #expect(other.status == 200)
        await simulator.stop()
    }

    @Test func serverErrorBurstsAndEarlyTokenExpiryHitTheNextCalls() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration())
        let token = try await simulator.token(scope: Self.graph)
        let auth = ["Authorization": "Bearer " + token]
        _ = try await simulator.send("POST", "/sim/faults/server-errors", body: Data(#"{"count":2}"#.utf8))
        let first = try await simulator.send("GET", "/v1.0/domains", headers: auth)
        let second = try await simulator.send("GET", "/v1.0/domains", headers: auth)
        let third = try await simulator.send("GET", "/v1.0/domains", headers: auth)
        let statuses: [Int] = [first.status, second.status, third.status]
        #expect(statuses == [503, 503, 200])
        _ = try await simulator.send("POST", "/sim/faults/expire-tokens")
        let expired = try await simulator.send("GET", "/v1.0/domains", headers: auth)
        #expect(expired.status == 401)
        #expect(expired.errorCode == "InvalidAuthenticationToken")
        let fresh = try await simulator.token(scope: Self.graph)
        let renewed = try await simulator.send("GET", "/v1.0/domains", headers: ["Authorization": "Bearer " + fresh])
        #expect(renewed.status == 200)
        await simulator.stop()
    }

    @Test func writesChangeTheTenantAndAreCountedPerEndpointAndTarget() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration(scenarios: ["account-takeover"]))
        let apps = simulator.tenant.apps
        let token = try await simulator.token(
            scope: Self.graph, clientId: apps.actions.clientId, secret: apps.actions.clientSecret)
        let auth = ["Authorization": "Bearer " + token, "Content-Type": "application/json"]
        let victim = try #require(simulator.tenant.world.groundTruth.expectedStories.first?.user)
        let disable = try await simulator.send(
            "PATCH", "/v1.0/users/\(victim)", headers: auth, body: Data(#"{"accountEnabled":false}"#.utf8))
        #expect(disable.status == 204)
        let user = try await simulator.send("GET", "/v1.0/users/\(victim)", headers: auth)
        #expect(user.object?["accountEnabled"] as? Bool == false)
        let writes = try await simulator.send("GET", "/sim/writes")
        let counts = try #require(writes.object?["counts"] as? [[String: Any]])
        #expect(counts.count == 1)
        #expect(counts.first?["count"] as? Int == 1)
        // The read-only collector app may not write.
        let collectorToken = try await simulator.token(scope: Self.graph)
        let refused = try await simulator.send(
            "PATCH", "/v1.0/users/\(victim)",
            headers: ["Authorization": "Bearer " + collectorToken, "Content-Type": "application/json"],
            body: Data(#"{"accountEnabled":false}"#.utf8))
        #expect(refused.status == 403)
        await simulator.stop()
    }

    @Test func theSameSeedServesByteIdenticalListingsAndBlobs() async throws {
        func capture(_ seed: UInt64) async throws -> [String] {
            let simulator = try await RunningSimulator.start(
                Fixtures.configuration(seed: seed, scenarios: ["account-takeover"], pageSize: 7))
            let tenantId = simulator.tenant.world.directory.tenantId
            let token = try await simulator.token(scope: Self.management)
            let auth = ["Authorization": "Bearer " + token]
            let feed = "/api/v1.0/\(tenantId)/activity/feed"
            var texts: [String] = []
            for type in ["Audit.Exchange", "Audit.AzureActiveDirectory", "Audit.General"] {
                _ = try await simulator.send("POST", feed + "/subscriptions/start?contentType=" + type, headers: auth)
                var next: String? =
                    feed
                    + "/subscriptions/content?contentType=\(type)&startTime=2026-11-20T00:00&endTime=2026-11-21T00:00"
                while let url = next {
                    let page = try await simulator.send("GET", url, headers: auth)
                    texts.append(page.text.replacingOccurrences(of: simulator.baseURL, with: "BASE"))
                    for uri in (page.array ?? []).compactMap({ $0["contentUri"] as? String }) {
                        texts.append(try await simulator.send("GET", uri, headers: auth).text)
                    }
                    next = page.header("NextPageUri")
                }
            }
            await simulator.stop()
            return texts
        }
        let first = try await capture(7)
        let second = try await capture(7)
        let other = try await capture(8)
        #expect(first.count > 10)
        #expect(first == second)
        #expect(first != other)
    }

    @Test func aStopRequestShutsTheServerDownGracefully() async throws {
        let simulator = try await RunningSimulator.start(Fixtures.configuration())
        #expect(try await simulator.send("GET", "/sim/clock").status == 200)
        // The server ends on its own (no cancellation) and without an error.
        try await simulator.server.stop()
        await #expect(throws: (any Error).self) { _ = try await simulator.send("GET", "/sim/clock") }
    }
}
