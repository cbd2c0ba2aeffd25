import Foundation
import Testing

@testable import TenantSimulator

/// The Management Activity API as a client sees it, through its pure handler.
struct ManagementActivityAPITests {
    let world = SimulatedWorld(configuration: Fixtures.configuration(malformed: 3))
    var api: ManagementActivityAPI {
        ManagementActivityAPI(world: world, index: PublicationIndex(world: world), baseURL: "http://sim")
    }
    var feed: String { "/api/v1.0/\(world.directory.tenantId)/activity/feed" }

    func call(
        _ method: String, _ target: String, state: inout TenantState, now: Date = Fixtures.afterEverything,
        roles: Set<String> = Fixtures.collectorRoles
    ) -> SimResponse {
        api.handle(SimRequest(method: method, target: target), roles: roles, state: &state, now: now)
    }

    func started(_ types: [ManagementContentType] = ManagementContentType.allCases) -> TenantState {
        var state = TenantState()
        for type in types {
            _ = call("POST", feed + "/subscriptions/start?contentType=" + type.rawValue, state: &state)
        }
        return state
    }

    /// Follows NextPageUri from a first listing, as a collector does; returns every listed blob.
    func walk(_ type: ManagementContentType, from start: Date, to end: Date, now: Date, state: inout TenantState)
        -> (blobs: [[String: Any]], pages: Int, urls: [String])
    {
        var target: String? =
            "\(feed)/subscriptions/content?contentType=\(type.rawValue)&startTime=\(SimTime.auditTime(start))&endTime=\(SimTime.auditTime(end))"
        var blobs: [[String: Any]] = []
        var pages = 0
        var urls: [String] = []
        while let next = target {
            let response = call("GET", next, state: &state, now: now)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            guard response.status == 200 else { break }
            pages += 1
            blobs += Fixtures.json(response.body) as? [[String: Any]] ?? []
            target = response.header("NextPageUri").map { $0.replacingOccurrences(of: "http://sim", with: "") }
            if let target { urls.append(target) }
        }
        return (blobs, pages, urls)
    }

    @Test func startingASubscriptionTwiceAnswersAF20024AndListShowsIt() {
        var state = TenantState()
        let first = call("POST", feed + "/subscriptions/start?contentType=Audit.Exchange", state: &state)
        #expect(first.status == 200)
        #expect(
            String(decoding: first.body, as: UTF8.self)
                == #"{"contentType":"Audit.Exchange","status":"enabled","webhook":null}"#)
        let second = call("POST", feed + "/subscriptions/start?contentType=Audit.Exchange", state: &state)
        #expect(second.status == 400)
        #expect(Fixtures.errorCode(second) == "AF20024")
        let list = Fixtures.json(call("GET", feed + "/subscriptions/list", state: &state).body) as? [[String: Any]]
        #expect(list?.count == 1)
        #expect(list?.first?["status"] as? String == "enabled")
    }

    @Test func listingWithoutSubscriptionAnswersAF20022AndAfterStopAF20023() {
        var state = TenantState()
        let listing = feed + "/subscriptions/content?contentType=Audit.Exchange"
        #expect(Fixtures.errorCode(call("GET", listing, state: &state)) == "AF20022")
        _ = call("POST", feed + "/subscriptions/start?contentType=Audit.Exchange", state: &state)
        _ = call("POST", feed + "/subscriptions/stop?contentType=Audit.Exchange", state: &state)
        #expect(Fixtures.errorCode(call("GET", listing, state: &state)) == "AF20023")
    }

    @Test func windowsOver24HoursOlderThan7DaysOrMalformedAreRefusedWithTheirAFCodes() {
        var state = started()
        let now = Fixtures.afterEverything
        func code(_ start: String?, _ end: String?) -> String? {
            var target = feed + "/subscriptions/content?contentType=Audit.Exchange"
            if let start { target += "&startTime=" + start }
            if let end { target += "&endTime=" + end }
            return Fixtures.errorCode(call("GET", target, state: &state, now: now))
        }
        #expect(code("2026-11-20T00:00", "2026-11-21T00:01") == "AF20030")
        #expect(code("2026-11-20T00:00:00", nil) == "AF20030")
        #expect(code("2026-11-20T05:00:00", "2026-11-20T04:00:00") == "AF20030")
        #expect(code("2026-11-10", "2026-11-11") == "AF20055")
        #expect(code("20/11/2026", "2026-11-21") == "AF20054")
        #expect(code("2026-11-20", "2026-11-21") == nil)
        #expect(code("2026-11-20T00:00", "2026-11-20T12:00") == nil)
    }

    @Test func pagingThroughNextPageUriListsEveryPublishedBlobExactlyOnce() {
        var state = started()
        let now = Fixtures.afterEverything
        let start = Fixtures.start.addingTimeInterval(-3600)
        var seen: [String] = []
        var pages = 0
        var lowerCaseSeen = false
        for window in 0..<2 {
            let from = start.addingTimeInterval(Double(window) * 24 * 3600)
            let result = walk(.exchange, from: from, to: from.addingTimeInterval(24 * 3600), now: now, state: &state)
            seen += result.blobs.compactMap { $0["contentId"] as? String }
            pages += result.pages
            lowerCaseSeen = lowerCaseSeen || result.urls.contains { $0.contains("starttime=") }
        }
        let expected = PublicationIndex(world: world).blobs[.exchange]!.map(\.contentId)
        #expect(pages > 2, "the fixture must need several pages")
        #expect(seen == expected)
        #expect(Set(seen).count == seen.count)
        #expect(lowerCaseSeen, "some next-page links spell starttime in lower case, as the service does")
    }

    @Test func aForgedNextPageTokenAnswersAF20031() {
        var state = started()
        let target =
            feed
            + "/subscriptions/content?contentType=Audit.Exchange&startTime=2026-11-20&endTime=2026-11-21&nextPage=garbage"
        #expect(Fixtures.errorCode(call("GET", target, state: &state)) == "AF20031")
    }

    @Test func aRecordIsListedOnlyOnceItsPublicationDelayHasPassed() throws {
        let index = PublicationIndex(world: world)
        let record = try #require(world.timeline.auditRecords.first { $0.contentType == .exchange })
        let recordIndex = world.timeline.auditRecords.firstIndex(of: record)!
        let blob = try #require(index.blobs[.exchange]!.first { $0.copies.contains { $0.record == recordIndex } })
        let published = record.creationTime.addingTimeInterval(record.publicationDelay)
        #expect(blob.contentCreated >= published)
        var state = started()
        let window = (blob.contentCreated.addingTimeInterval(-3600), blob.contentCreated.addingTimeInterval(3600))
        let before = walk(
            .exchange, from: window.0, to: window.1, now: blob.contentCreated.addingTimeInterval(-0.5), state: &state)
        #expect(!before.blobs.contains { $0["contentId"] as? String == blob.contentId })
        let after = walk(.exchange, from: window.0, to: window.1, now: blob.contentCreated, state: &state)
        #expect(after.blobs.contains { $0["contentId"] as? String == blob.contentId })
    }

    @Test func publicationDelaysHaveALongTailOfHours() {
        let profile = PublicationProfile()
        let delays = world.timeline.auditRecords.map(\.publicationDelay)
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= profile.maximumDelay })
        let late = delays.filter { $0 > 3600 }.count
        #expect(late > 0, "some records are published more than an hour late")
        #expect(Double(late) / Double(delays.count) < 0.1, "most are published within the hour")
    }

    @Test func blobsHoldAuditRecordsInTheManagementActivitySchema() throws {
        var state = started()
        let index = PublicationIndex(world: world)
        var checked = 0
        for type in [ManagementContentType.exchange, .azureActiveDirectory] {
            for blob in index.blobs[type]!.prefix(20) {
                let response = call("GET", feed + "/audit/" + blob.contentId, state: &state)
                #expect(response.status == 200)
                let records = try #require(Fixtures.json(response.body) as? [Any])
                for case let record as [String: Any] in records {
                    guard record["Id"] is String, record["Operation"] as? String != nil else { continue }
                    checked += 1
                    let creation = try #require(record["CreationTime"] as? String)
                    #expect(!creation.hasSuffix("Z") && creation.count == 19, "CreationTime has no zone: \(creation)")
                    #expect(record["OrganizationId"] as? String == world.directory.tenantId)
                    #expect(record["RecordType"] is Int || Int(record["RecordType"] as? String ?? "") != nil)
                    #expect(record["UserType"] is Int || Int(record["UserType"] as? String ?? "") != nil)
                    #expect(record["Workload"] is String)
                    #expect(record["UserId"] is String)
                }
            }
        }
        #expect(checked > 20)
    }

    @Test func duplicatesAppearInTwoBlobsWithTheSameIdAndAnotherKeyOrder() throws {
        let world = SimulatedWorld(
            configuration: Fixtures.configuration(publication: PublicationProfile(duplicateFraction: 0.2)))
        let api = ManagementActivityAPI(world: world, index: PublicationIndex(world: world), baseURL: "http://sim")
        let index = api.index
        let duplicated = try #require(world.timeline.auditRecords.firstIndex { $0.duplicateDelay != nil })
        let type = world.timeline.auditRecords[duplicated].contentType
        let blobs = index.blobs[type]!.filter { $0.copies.contains { $0.record == duplicated } }
        #expect(blobs.count == 2)
        let state = TenantState()
        let id = world.timeline.auditRecords[duplicated].id!
        let copies: [String] = blobs.compactMap { blob in
            let text = String(decoding: api.render(blob, state: state), as: UTF8.self)
            let records = Fixtures.json(Data(text.utf8)) as? [[String: Any]] ?? []
            return records.contains { $0["Id"] as? String == id } ? text : nil
        }
        #expect(copies.count == 2)
        let keyOrders = copies.map { text -> [String] in
            let start = text.range(of: "\"Id\":\"\(id)\"")!.lowerBound
            let objectStart = text[..<start].lastIndex(of: "{")!
            return text[objectStart...].split(separator: ",").prefix(4).map {
                String($0.split(separator: ":").first ?? "")
            }
        }
        #expect(keyOrders[0] != keyOrders[1])
    }

    @Test func malformedRecordsSitInsideAParseableBlob() throws {
        var state = started()
        let index = PublicationIndex(world: world)
        var malformed = 0
        for type in [ManagementContentType.exchange, .azureActiveDirectory] {
            for blob in index.blobs[type]! {
                guard blob.copies.contains(where: { world.timeline.auditRecords[$0.record].id == nil }) else {
                    continue
                }
                let response = call("GET", feed + "/audit/" + blob.contentId, state: &state)
                let records = try #require(Fixtures.json(response.body) as? [Any], "the blob still parses")
                malformed +=
                    records.filter { record in
                        guard let object = record as? [String: Any] else { return true }
                        return !(object["Id"] is String)
                    }.count
            }
        }
        #expect(malformed == 3)
    }

    @Test func blobsExpireAfterSevenDaysWithAF20051() throws {
        var state = started()
        let blob = try #require(PublicationIndex(world: world).blobs[.exchange]!.first)
        let fresh = call("GET", feed + "/audit/" + blob.contentId, state: &state, now: blob.contentExpiration)
        #expect(fresh.status == 200)
        let expired = call(
            "GET", feed + "/audit/" + blob.contentId, state: &state, now: blob.contentExpiration.addingTimeInterval(1))
        #expect(expired.status == 400)
        #expect(Fixtures.errorCode(expired) == "AF20051")
        let unknown = call("GET", feed + "/audit/nonexistent$id", state: &state)
        #expect(Fixtures.errorCode(unknown) == "AF20050")
    }

    @Test func anAppWithoutActivityFeedReadIsRefusedWithAF10001() {
        var state = TenantState()
        let response = call("POST", feed + "/subscriptions/start?contentType=Audit.Exchange", state: &state, roles: [])
        #expect(response.status == 403)
        #expect(Fixtures.errorCode(response) == "AF10001")
        let dlp = call(
            "POST", feed + "/subscriptions/start?contentType=DLP.All", state: &state, roles: ["ActivityFeed.Read"])
        #expect(Fixtures.errorCode(dlp) == "AF10001")
    }

    @Test func signInsAfterTheAccountWasDisabledAreServedAsRefused() throws {
        let index = PublicationIndex(world: world)
        let blob = try #require(
            index.blobs[.azureActiveDirectory]!.first { blob in
                blob.copies.contains {
                    if case .signIn = world.timeline.auditRecords[$0.record].body { true } else { false }
                }
            })
        guard case .signIn(let event, _) = world.timeline.auditRecords[blob.copies.first!.record].body else {
            Issue.record("first record is not a sign-in")
            return
        }
        var state = TenantState()
        let before = String(decoding: api.render(blob, state: state), as: UTF8.self)
        state.disabledAccounts[event.userId] = event.time.addingTimeInterval(-1)
        let after = String(decoding: api.render(blob, state: state), as: UTF8.self)
        #expect(!before.contains("UserAccountDisabled"))
        #expect(after.contains("UserAccountDisabled"))
        #expect(after.contains(#""ErrorNumber":"50057""#))
    }
}
