import Foundation
import HTTP
import M365
import TenantSimulator
import Testing

@Suite("ManagementActivityClient against the simulator")
struct ManagementActivityClientTests {
    /// The first day of the simulated world: inside the 7 days and 24 hours long.
    static let window = AuditWindow(start: Harness.worldStart, end: Harness.worldStart.addingTimeInterval(24 * 3600))

    @Test("subscriptions: start (twice: AF20024 is success), list, stop")
    func subscriptions() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))
        let started = try await client.startSubscription(.exchange)
        #expect(started.isEnabled)
        let again = try await client.startSubscription(.exchange)
        #expect(again.isEnabled)
        try await client.startSubscription(.azureActiveDirectory)
        let list = try await client.listSubscriptions()
        #expect(Set(list.map(\.contentType)) == [.exchange, .azureActiveDirectory])
        #expect(list.allSatisfy { $0.isEnabled })
        try await client.stopSubscription(.exchange)
        let afterStop = try await client.listSubscriptions()
        #expect(afterStop.first { $0.contentType == .exchange }?.isEnabled == false)
        // Hummingbird replaces the simulator's `Date` header with the wall clock's, so the server
        // reads as ahead of our manual clock by the wall clock's lead.
        let skew = try #require(client.lastServerTimeSkew)
        let expected = Date().timeIntervalSince(harness.clock.now)
        #expect(abs(skew - expected) < 5, "skew \(skew) s, expected about \(expected) s")
    }

    @Test("a listing of many pages is walked to the end, NextPageUri as given")
    func listingWalkedCompletely() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))
        try await client.startSubscription(.exchange)
        var pages: [ContentPage] = []
        for try await page in client.contentPages(contentType: .exchange, window: Self.window) {
            pages.append(page)
        }
        let listed = pages.flatMap(\.blobs).map(\.contentId)
        let published = await harness.publishedContentIds(.exchange, Self.window)
        #expect(pages.count >= 3)
        #expect(listed == published)
        #expect(Set(pages.map(\.pageURI)).count == pages.count, "no page read twice")
        // The simulator spells every other next page's window in lower case.
        #expect(pages.contains { $0.nextPageURI?.contains("starttime=") == true })
        #expect(pages.allSatisfy { $0.pageURI.contains("PublisherIdentifier=") })
        #expect(pages.last?.nextPageURI == nil)
        #expect(pages.flatMap(\.blobs).allSatisfy { $0.contentCreated != nil && $0.contentType == .exchange })
    }

    @Test("blobs come back as the exact bytes of each record, malformed elements included")
    func blobRecords() async throws {
        let harness = try await Harness.start(Harness.configuration(malformed: 4))
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))
        // The simulator puts its string and array samples in the Azure AD feed.
        try await client.startSubscription(.azureActiveDirectory)
        let blobs = try await client.listContent(contentType: .azureActiveDirectory, window: Self.window)
        var records = 0
        var nonObjects = 0
        for blob in blobs {
            let content = try await client.fetchBlob(blob)
            let parsed = try #require(
                try JSONSerialization.jsonObject(with: content.body, options: [.fragmentsAllowed]) as? [Any])
            #expect(content.records.count == parsed.count)
            for (record, value) in zip(content.records, content.values()) {
                let value = try #require(value)
                if case .object = value {} else { nonObjects += 1 }
                // Each record's bytes are a complete JSON value by themselves.
                #expect((try? JSONSerialization.jsonObject(with: record, options: [.fragmentsAllowed])) != nil)
            }
            records += content.records.count
        }
        #expect(records > 0)
        #expect(nonObjects >= 1, "the malformed samples (a string, an array) are kept as elements")
    }

    @Test("AF codes map to typed errors with their meaning")
    func afCodes() async throws {
        var faults = FaultPlan()
        faults.expiredBlobFraction = 1
        let harness = try await Harness.start(faults: faults)
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))

        let noSubscription = await #expect(throws: ManagementError.self) {
            _ = try await client.listContent(contentType: .exchange, window: Self.window)
        }
        #expect(noSubscription?.code == .noSubscription)
        #expect(noSubscription?.afCode == "AF20022")
        #expect(noSubscription?.isRetriable == false)
        #expect(noSubscription?.description.contains("start it") == true)

        try await client.startSubscription(.exchange)
        let blob = try #require(try await client.listContent(contentType: .exchange, window: Self.window).first)
        let expired = await #expect(throws: ManagementError.self) { _ = try await client.fetchBlob(blob) }
        #expect(expired?.code == .contentExpired)
        #expect(expired?.afCode == "AF20051")

        let missing = await #expect(throws: ManagementError.self) {
            _ = try await client.fetchBlob(blob.contentUri.replacingOccurrences(of: blob.contentId, with: "nope"))
        }
        #expect(missing?.code == .contentNotFound)

        let badPage = await #expect(throws: ManagementError.self) {
            _ = try await client.contentPage(
                at: "\(harness.baseURL)/api/v1.0/\(harness.tenantId)/activity/feed/subscriptions/content"
                    + "?contentType=Audit.Exchange&nextPage=garbage")
        }
        #expect(badPage?.code == .invalidNextPage)

        // The DLP feed needs a permission the action app does not have.
        let actions = harness.management(harness.tokens(harness.tenant.apps.actions))
        let forbidden = await #expect(throws: ManagementError.self) { try await actions.startSubscription(.dlpAll) }
        #expect(forbidden?.code == .missingPermission)

        // A URL on another host is never sent the token.
        let foreign = await #expect(throws: ManagementError.self) {
            _ = try await client.fetchBlob("https://example.invalid/api/v1.0/x/activity/feed/audit/1")
        }
        #expect(foreign?.code == .untrustedURL)
    }

    @Test("windows are checked locally before anything is sent")
    func windowValidation() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector)
        let client = harness.management(tokens)
        let now = harness.clock.now
        let cases: [(AuditWindow, ManagementError.Code)] = [
            (AuditWindow(start: now.addingTimeInterval(-25 * 3600), end: now), .invalidWindow),
            (AuditWindow(start: now, end: now.addingTimeInterval(-60)), .invalidWindow),
            (
                AuditWindow(
                    start: now.addingTimeInterval(-7 * 86_400 - 60), end: now.addingTimeInterval(-6.5 * 86_400)),
                .windowTooOld
            ),
        ]
        for (window, code) in cases {
            let error = await #expect(throws: ManagementError.self) {
                _ = try await client.listContent(contentType: .exchange, window: window)
            }
            #expect(error?.code == code)
            #expect(error?.message.contains("checked locally") == true)
        }
        #expect(await tokens.tokenRequestCount == 0, "nothing was sent")
    }

    @Test("a throttling storm (AF429 on 30 % of calls) is waited out and nothing is lost")
    func throttlingStorm() async throws {
        var faults = FaultPlan()
        faults.managementThrottleFraction = 0.3
        let capture = LogCapture()
        let harness = try await Harness.start(faults: faults, logger: capture.logger())
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))
        try await client.startSubscription(.exchange)
        let blobs = try await client.listContent(contentType: .exchange, window: Self.window)
        #expect(blobs.map(\.contentId) == (await harness.publishedContentIds(.exchange, Self.window)))
        for blob in blobs.prefix(10) {
            _ = try await client.fetchBlob(blob)
        }
        let throttledRetries = capture.all.filter { $0.contains("Retrying HTTP request") && $0.contains("status=403") }
        #expect(throttledRetries.count >= 3, "the storm really happened: \(throttledRetries.count) AF429 retries")
    }

    @Test("a burst of 5xx (AF50000) is retried")
    func serverErrorBurst() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))
        try await client.startSubscription(.exchange)
        await harness.tenant.injectServerErrorBurst(4)
        let blobs = try await client.listContent(contentType: .exchange, window: Self.window)
        #expect(blobs.map(\.contentId) == (await harness.publishedContentIds(.exchange, Self.window)))
    }

    @Test("a token that expires in the middle of a listing is refreshed and the listing goes on from there")
    func tokenExpiresMidListing() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let tokens = harness.tokens(harness.tenant.apps.collector)
        let client = harness.management(tokens)
        try await client.startSubscription(.exchange)
        #expect(await tokens.tokenRequestCount == 1)
        var pages: [ContentPage] = []
        for try await page in client.contentPages(contentType: .exchange, window: Self.window) {
            pages.append(page)
            if pages.count == 2 { await harness.tenant.expireAllTokens() }
        }
        #expect(pages.count >= 3)
        #expect(await tokens.tokenRequestCount == 2, "one refresh after the 401")
        let listed = pages.flatMap(\.blobs).map(\.contentId)
        #expect(listed == (await harness.publishedContentIds(.exchange, Self.window)))
        #expect(Set(listed).count == listed.count, "no page was read twice")
    }

    @Test("a resumed listing starts at the kept NextPageUri")
    func resumeAtNextPage() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = harness.management(harness.tokens(harness.tenant.apps.collector))
        try await client.startSubscription(.exchange)
        var iterator = client.contentPages(contentType: .exchange, window: Self.window).makeAsyncIterator()
        let first = try #require(try await iterator.next())
        let next = try #require(first.nextPageURI)
        var rest: [ContentBlobReference] = []
        for try await page in client.contentPages(resumingAt: next) { rest += page.blobs }
        #expect(
            (first.blobs + rest).map(\.contentId) == (await harness.publishedContentIds(.exchange, Self.window)))
    }
}
