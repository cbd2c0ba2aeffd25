import Foundation
import HTTP
import Synchronization
import Testing

/// The client over real HTTP on loopback, against the tenant simulator.
@Suite struct HTTPClientTests {
    @Test func getAndFormPostRoundTrip() async throws {
        try await withSimulator { simulator, client in
            let info = try await client.execute(HTTPRequest(url: simulator.baseURL + "/sim/info"))
            #expect(info.status == 200)
            #expect(info.header("content-type")?.hasPrefix("application/json") == true)
            // Header values arrive without the line's CRLF.
            #expect(info.header("Content-Length") == String(info.body.count))
            #expect(Fixtures.json(info.body)?["tenantId"] as? String == simulator.tenant.world.directory.tenantId)

            let token = try await simulator.graphToken(client)
            let domains = try await client.execute(simulator.graphRequest("/v1.0/domains", token: token))
            #expect(domains.status == 200)
            #expect((Fixtures.json(domains.body)?["value"] as? [Any])?.isEmpty == false)
        }
    }

    @Test func statusesAreResponsesNotErrors() async throws {
        try await withSimulator { simulator, client in
            let missing = try await client.execute(HTTPRequest(url: simulator.baseURL + "/sim/nothing-here"))
            #expect(missing.status == 404)
            let unauthorized = try await client.execute(simulator.graphRequest("/v1.0/domains", token: "bogus"))
            #expect(unauthorized.status == 401)
            #expect(unauthorized.header("WWW-Authenticate")?.contains("invalid_token") == true)
        }
    }

    @Test func twoHundredConcurrentRequestsAllComplete() async throws {
        try await withSimulator { simulator, client in
            let token = try await simulator.graphToken(client)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let path = index.isMultiple(of: 2) ? "/sim/clock" : "/v1.0/domains"
                        return try await client.execute(simulator.graphRequest(path, token: token)).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
    }

    @Test func serverErrorBurstIsRetriedUntilItSucceeds() async throws {
        let capture = LogCapture()
        try await withSimulator(logger: Fixtures.logger(capture)) { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.send("POST", "/sim/faults/server-errors", #"{"count":2}"#)
            let response = try await client.execute(simulator.graphRequest("/v1.0/domains", token: token))
            #expect(response.status == 200)
            let retries = capture.lines.filter { $0.contains("Retrying HTTP request") }
            #expect(retries.count == 2)
            #expect(retries.allSatisfy { $0.contains("status=503") })
        }
    }

    @Test func throttledRequestWaitsForRetryAfterBeforeTryingAgain() async throws {
        try await withSimulator { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.setFaults(#"{"graphThrottleFraction":1,"graphRetryAfterSeconds":1}"#)
            let clock = ContinuousClock()
            let (throttled, throttledContinuation) = AsyncStream.makeStream(of: Void.self)
            let seen = Mutex<[(status: Int, at: ContinuousClock.Instant)]>([])
            let classify: @Sendable (HTTPResponse) -> RetryDecision = { response in
                seen.withLock { $0.append((response.status, clock.now)) }
                if response.status == 429 { throttledContinuation.yield() }
                return HTTPClient.defaultClassifier(response)
            }
            // Lift the throttling once the first 429 has been seen.
            let lifter = Task {
                var iterator = throttled.makeAsyncIterator()
                _ = await iterator.next()
                try await simulator.setFaults("{}")
            }
            let response = try await client.execute(
                simulator.graphRequest("/v1.0/domains", token: token), classify: classify)
            try await lifter.value
            #expect(response.status == 200)
            let attempts = seen.withLock { $0 }
            #expect(attempts.map(\.status) == [429, 200])
            if attempts.count == 2 {
                #expect(attempts[0].at.duration(to: attempts[1].at) >= .seconds(1))
            }
        }
    }

    @Test func givesUpAfterMaximumAttemptsWithTheLastStatus() async throws {
        try await withSimulator(Fixtures.configuration(attempts: 3)) { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.setFaults(#"{"graphThrottleFraction":1,"graphRetryAfterSeconds":0}"#)
            let error = await #expect(throws: HTTPError.self) {
                try await client.execute(simulator.graphRequest("/v1.0/domains", token: token))
            }
            #expect(error?.code == .retriesExhausted)
            #expect(error?.lastStatus == 429)
            #expect(error?.isRetriable == true)
            #expect(error?.message.contains("3 attempts") == true)
        }
    }

    @Test func slowResponsePastTheTotalTimeoutTimesOut() async throws {
        let configuration = Fixtures.configuration(attempts: 2, totalTimeout: .milliseconds(500))
        try await withSimulator(configuration) { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.setFaults(#"{"slowResponseFraction":1,"slowResponseSeconds":3}"#)
            let error = await #expect(throws: HTTPError.self) {
                try await client.execute(simulator.graphRequest("/v1.0/domains", token: token))
            }
            #expect(error?.code == .timedOut)
            #expect(error?.isRetriable == true)
            #expect(error?.message.contains("500 ms") == true)
        }
    }

    @Test func refusedConnectionFailsFast() async throws {
        let closed = try ClosedLoopbackPort()
        let port = closed.port
        let client = HTTPClient(configuration: Fixtures.configuration(attempts: 2), logger: Fixtures.logger())
        let error = await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/v1.0/users"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("could not connect to 127.0.0.1:\(port) (connection refused)") == true)
        await client.shutdown()
        withExtendedLifetime(closed) {}
    }

    @Test func refusedConnectionIsRetriedEvenForPost() async throws {
        let closed = try ClosedLoopbackPort()
        let port = closed.port
        let capture = LogCapture()
        // A loaded CI machine can stall the first attempt for seconds; the time limits must not decide this test.
        var configuration = Fixtures.configuration(attempts: 3, totalTimeout: .seconds(120))
        configuration.connectTimeout = .seconds(60)
        configuration.retry.maximumTotalTime = .seconds(300)
        let client = HTTPClient(configuration: configuration, logger: Fixtures.logger(capture))
        let error = await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/token"))
        }
        #expect(error?.code == .connectionFailed, "\(String(describing: error))")
        let retries = capture.lines.filter { $0.contains("Retrying HTTP request") }
        #expect(retries.count == 2, "log: \(capture.lines)")
        await client.shutdown()
        withExtendedLifetime(closed) {}
    }

    @Test func responseLargerThanTheCapFails() async throws {
        var configuration = Fixtures.configuration()
        configuration.maximumResponseBytes = 200
        try await withSimulator(configuration) { simulator, client in
            let error = await #expect(throws: HTTPError.self) {
                try await client.execute(HTTPRequest(url: simulator.baseURL + "/sim/info"))
            }
            #expect(error?.code == .responseTooLarge)
            #expect(error?.isRetriable == false)
            // A small response through the same client still works.
            let clock = try await client.execute(HTTPRequest(url: simulator.baseURL + "/sim/clock"))
            #expect(clock.status == 200)
        }
    }

    @Test func emptyRetryBudgetFailsInsteadOfRetrying() async throws {
        var configuration = Fixtures.configuration(attempts: 10)
        configuration.retry.retryBudgetPerHost = 3
        configuration.retry.budgetWindow = .seconds(600)
        try await withSimulator(configuration) { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.setFaults(#"{"serverErrorFraction":1}"#)
            // Ignore Retry-After so the test does not wait for it.
            let classify: @Sendable (HTTPResponse) -> RetryDecision = {
                $0.status >= 500 ? .retry(after: nil) : .accept
            }
            let error = await #expect(throws: HTTPError.self) {
                try await client.execute(simulator.graphRequest("/v1.0/domains", token: token), classify: classify)
            }
            #expect(error?.code == .retryBudgetExhausted)
            #expect(error?.lastStatus == 503)
            // The budget is per host and shared: the next request gets no retry at all.
            let second = await #expect(throws: HTTPError.self) {
                try await client.execute(simulator.graphRequest("/v1.0/users", token: token), classify: classify)
            }
            #expect(second?.code == .retryBudgetExhausted)
        }
    }

    @Test func cancellingTheTaskStopsTheTransfer() async throws {
        try await withSimulator { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.setFaults(#"{"slowResponseFraction":1,"slowResponseSeconds":5}"#)
            let task = Task {
                try await client.execute(simulator.graphRequest("/v1.0/domains", token: token))
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let result = await task.result
            #expect(throws: HTTPError.self) { try result.get() }
            if case .failure(let error as HTTPError) = result { #expect(error.code == .cancelled) }
            // The client keeps working.
            try await simulator.setFaults("{}")
            #expect(try await client.execute(HTTPRequest(url: simulator.baseURL + "/sim/clock")).status == 200)
        }
    }

    @Test func requestsAfterShutdownFail() async throws {
        let client = HTTPClient(logger: Fixtures.logger())
        await client.shutdown()
        await client.shutdown()
        let error = await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:1/"))
        }
        #expect(error?.code == .shutDown)
    }

    @Test func invalidURLFailsWithoutSending() async throws {
        let client = HTTPClient(logger: Fixtures.logger())
        let error = await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "graph.microsoft.com/v1.0/users?access_token=abc"))
        }
        #expect(error?.code == .invalidURL)
        #expect(error?.message.contains("abc") == false)
        let header = await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-Bad", "a\r\nInjected: 1")]))
        }
        #expect(header?.code == .invalidRequest)
        await client.shutdown()
    }

    @Test func logsHoldNoSecretsAtTraceLevel() async throws {
        let capture = LogCapture()
        try await withSimulator(logger: Fixtures.logger(capture)) { simulator, client in
            let token = try await simulator.graphToken(client)
            try await simulator.send("POST", "/sim/faults/server-errors", #"{"count":1}"#)
            _ = try await client.execute(simulator.graphRequest("/v1.0/domains?code=secret-code", token: token))
            let log = capture.lines.joined(separator: "\n")
            #expect(log.contains("HTTP response"))
            #expect(log.contains("Bearer REDACTED"))
            #expect(!log.contains(token))
            #expect(!log.contains(simulator.tenant.apps.collector.clientSecret))
            #expect(!log.contains("secret-code"))
        }
    }
}

/// Failures that do not need a running simulator, or use it only as a wrong peer.
@Suite struct HTTPClientFailureTests {
    @Test func tlsToAServerThatDoesNotSpeakItFailsAsTLSFailureWithoutRetry() async throws {
        let capture = LogCapture()
        try await withSimulator(logger: Fixtures.logger(capture)) { simulator, client in
            let url = simulator.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/sim/clock"
            let error = await #expect(throws: HTTPError.self) { try await client.execute(HTTPRequest(url: url)) }
            #expect(error?.code == .tlsFailure)
            #expect(error?.isRetriable == false)
            // A TLS failure is never retried. (On a loaded machine the first attempt can hit the 2 s
            // connect timeout instead, which is retried: that retry is not what this test is about.)
            #expect(!capture.lines.contains { $0.contains("Retrying") && $0.contains("tlsFailure") })
        }
    }

    @Test func configuredProxyIsUsedAndNamedWhenItRefuses() async throws {
        let closed = try ClosedLoopbackPort()
        let port = closed.port
        var configuration = Fixtures.configuration(attempts: 1)
        configuration.proxy = "http://127.0.0.1:\(port)"
        let client = HTTPClient(configuration: configuration, logger: Fixtures.logger())
        let error = await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "http://login.example.invalid/token"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true, "\(error?.message ?? "")")
        await client.shutdown()
        withExtendedLifetime(closed) {}
    }
}
