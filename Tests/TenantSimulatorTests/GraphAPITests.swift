import Events
import Foundation
import Testing

@testable import TenantSimulator

/// A small tenant with hand-made timeline items, the Graph API over it, and the write state.
private struct GraphBench {
    /// 2026-11-20T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_795_132_800)
    static let base = "http://127.0.0.1:9000"
    static let allRoles: Set<String> = [
        "User.Read.All", "Domain.Read.All", "AuditLog.Read.All", "IdentityRiskyUser.Read.All",
        "IdentityRiskyUser.ReadWrite.All", "Mail.ReadWrite", "Mail.Send", "MailboxSettings.ReadWrite",
        "SecurityAlert.Read.All", "ThreatSubmission.Read.All", "User.EnableDisableAccount.All",
        "User.RevokeSessions.All", "User-PasswordProfile.ReadWrite.All",
    ]

    var world: SimulatedWorld
    var api: GraphAPI
    var state = TenantState()

    /// The world's directory with an empty timeline, then `edit`.
    init(pageSize: Int = 50, deltaLifetime: TimeInterval = 7 * 86_400, edit: (inout SimulatedWorld) -> Void = { _ in })
    {
        var world = SimulatedWorld(
            configuration: SimulatorConfiguration(
                seed: 7, scenarios: [], start: Self.start, duration: 6 * 3600, userCount: 30, backgroundRate: 0))
        let empty = TenantTimeline(start: world.timeline.start, end: world.timeline.end)
        world.timeline = empty
        edit(&world)
        self.world = world
        api = GraphAPI(
            world: world, baseURL: Self.base + "/",
            options: GraphOptions(pageSize: pageSize, deltaTokenLifetime: deltaLifetime))
    }

    static func at(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }

    var alice: SimulatedUser { world.directory.users[5] }
    var bob: SimulatedUser { world.directory.users[6] }

    mutating func call(
        _ method: String, _ target: String, body: String? = nil, roles: Set<String> = allRoles,
        headers: [String: String] = [:], at now: Date
    ) -> SimResponse {
        let path = target.hasPrefix(Self.base) ? String(target.dropFirst(Self.base.count)) : target
        let request = SimRequest(method: method, target: path, headers: headers, body: Data((body ?? "").utf8))
        return api.handle(request, roles: roles, state: &state, now: now)
    }

    mutating func get(_ target: String, roles: Set<String> = allRoles, headers: [String: String] = [:], at now: Date)
        -> SimResponse
    {
        call("GET", target, roles: roles, headers: headers, at: now)
    }

    /// Every item of a collection, following `@odata.nextLink`; `advance` moves the clock between pages.
    mutating func walk(_ target: String, at now: Date, advance: TimeInterval = 0, headers: [String: String] = [:])
        throws -> (items: [JSONValue], pages: Int, last: JSONValue)
    {
        var items: [JSONValue] = []
        var next: String? = target
        var clock = now
        var pages = 0
        var last = JSONValue.null
        while let link = next {
            let response = get(link, headers: headers, at: clock)
            try #require(response.status == 200, "\(link): \(String(decoding: response.body, as: UTF8.self))")
            last = try decode(response)
            items += last["value"]?.array ?? []
            next = last["@odata.nextLink"]?.string
            pages += 1
            clock += advance
            try #require(pages < 1000)
        }
        return (items, pages, last)
    }

    func writes(_ endpoint: String, _ target: String) -> Int {
        state.writeCounts[TenantState.WriteKey(endpoint: endpoint, target: target)] ?? 0
    }

    // MARK: Timeline items

    static func signIn(_ user: SimulatedUser, at time: Date, id: String) -> SignInEvent {
        SignInEvent(
            id: id, time: time, userId: user.id, userPrincipalName: user.userPrincipalName, appId: Apps.outlook.id,
            appDisplayName: Apps.outlook.name, ipAddress: user.usualIPs[0], place: user.home,
            clientAppUsed: "Mobile Apps and Desktop clients", isInteractive: true, userAgent: UserAgents.windowsEdge,
            authenticationRequirement: "multiFactorAuthentication", deviceTrustType: "Azure AD joined",
            riskLevel: .none,
            riskEventTypes: [], errorCode: 0, failureReason: "Other.")
    }

    static func message(_ id: String, to user: SimulatedUser, at time: Date, folder: String = "inbox") -> MailMessage {
        MailMessage(
            id: id, mailboxUserId: user.id, folder: folder, internetMessageId: "<\(id)@fabrikam.example>",
            subject: "Subject \(id)", from: Recipient(name: "Mallory", address: "mallory@fabrikam.example"),
            toRecipients: [Recipient(name: user.displayName, address: user.userPrincipalName)], receivedDateTime: time,
            bodyPreview: "Hello \(id)", body: "Hello \(id), full text.", isRead: false, hasAttachments: false,
            verdict: .clean)
    }
}

private func decode(_ response: SimResponse) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: response.body)
}

private func errorCode(_ response: SimResponse) -> String? {
    (try? decode(response))?["error"]?["code"]?.string
}

extension JSONValue {
    fileprivate var array: [JSONValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    fileprivate var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    fileprivate var int: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    fileprivate var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }
}

@Suite("GraphAPI")
struct GraphAPITests {
    // MARK: Sign-ins

    @Test func signInPagingWalksEverySignInExactlyOnceWhileNewOnesArrive() throws {
        var bench = GraphBench(pageSize: 7) { world in
            let users = world.directory.users
            world.timeline.signIns = (0..<200).map { index in
                GraphBench.signIn(
                    users[index % users.count], at: GraphBench.start.addingTimeInterval(Double(index) * 108 + 0.25),
                    id: "signin-\(index)")
            }
        }
        let now = GraphBench.at(3)
        let expected = Set(bench.world.timeline.signIns.filter { $0.time <= now }.map(\.id))
        // The clock moves on 5 minutes per page: new sign-ins arrive while the client pages.
        let walk = try bench.walk("/v1.0/auditLogs/signIns", at: now, advance: 300)
        let ids = walk.items.compactMap { $0["id"]?.string }
        #expect(ids.count == expected.count)
        #expect(Set(ids) == expected)
        #expect(walk.pages == (expected.count + 6) / 7)
        let times = walk.items.compactMap { $0["createdDateTime"]?.string }
        #expect(times == times.sorted(by: >), "newest first")
    }

    @Test func signInFilterBoundsSelectTheWindow() throws {
        var bench = GraphBench(pageSize: 1000) { world in
            let user = world.directory.users[0]
            world.timeline.signIns = (0..<60).map { minute in
                GraphBench.signIn(user, at: GraphBench.start.addingTimeInterval(Double(minute) * 60), id: "s\(minute)")
            }
        }
        func ids(_ filter: String) throws -> [String] {
            let encoded = filter.replacingOccurrences(of: " ", with: "%20")
            let items = try bench.walk("/v1.0/auditLogs/signIns?$filter=\(encoded)", at: GraphBench.at(2)).items
            return items.compactMap { $0["id"]?.string }
        }
        #expect(try ids("createdDateTime ge 2026-11-20T00:10:00Z").count == 50)
        #expect(try ids("createdDateTime gt 2026-11-20T00:10:00Z").count == 49)
        #expect(
            try ids("createdDateTime ge 2026-11-20T00:10:00Z and createdDateTime le 2026-11-20T00:20:00Z")
                == (10...20).reversed().map { "s\($0)" })
        #expect(
            try ids("(createdDateTime ge 2026-11-20T00:10:00Z) and (createdDateTime lt 2026-11-20T00:20:00Z)").count
                == 10)
        // Form encoding: '+' for spaces.
        #expect(try ids("createdDateTime+ge+2026-11-20T00:55:00.000Z").count == 5)
        #expect(try ids("createdDateTime ge 2026-11-20T01:55:00+01:00").count == 5)
    }

    @Test func badSignInFilterAnswers400() throws {
        var bench = GraphBench()
        for filter in [
            "createdDateTime%20ge%20yesterday", "createdDateTime%20ge%202026-11-20", "createdDateTime%20ge",
            "createdDateTime%20ge%202026-11-20T00:00:00Z%20or%20createdDateTime%20le%202026-11-21T00:00:00Z",
            "appDisplayName%20eq%20'Office'", "createdDateTime%20ne%202026-11-20T00:00:00Z",
        ] {
            let response = bench.get("/v1.0/auditLogs/signIns?$filter=\(filter)", at: GraphBench.at(1))
            #expect(response.status == 400, "\(filter)")
            #expect(errorCode(response) == "BadRequest")
            #expect(try decode(response)["error"]?["message"]?.string?.hasPrefix("Invalid filter clause") == true)
        }
        #expect(bench.get("/v1.0/auditLogs/signIns?$top=1001", at: GraphBench.at(1)).status == 400)
        #expect(bench.get("/v1.0/auditLogs/signIns?$skiptoken=garbage", at: GraphBench.at(1)).status == 400)
    }

    @Test func signInShapeFollowsGraph() throws {
        var bench = GraphBench { world in
            world.timeline.signIns = [GraphBench.signIn(world.directory.users[5], at: GraphBench.at(1), id: "s1")]
        }
        let item = try #require(
            try decode(bench.get("/v1.0/auditLogs/signIns", at: GraphBench.at(2)))["value"]?.array?.first)
        #expect(item["userDisplayName"]?.string == bench.alice.displayName)
        #expect(item["status"]?["errorCode"]?.int == 0)
        #expect(item["location"]?["countryOrRegion"]?.string == bench.alice.home.countryOrRegion)
        #expect(item["location"]?["geoCoordinates"]?["altitude"] == .null)
        #expect(item["deviceDetail"]?["trustType"]?.string == "Azure AD joined")
        #expect(item["deviceDetail"]?["browser"]?.string == "Edge 120.0.0.0")
        #expect(item["riskEventTypes_v2"]?.array == [])
        #expect(item["createdDateTime"]?.string == "2026-11-20T01:00:00Z")
    }

    @Test func disabledAccountRefusesLaterSignInsAndLeavesEarlierOnes() throws {
        var bench = GraphBench { world in
            let user = world.directory.users[5]
            world.timeline.signIns = [
                GraphBench.signIn(user, at: GraphBench.at(1), id: "before"),
                GraphBench.signIn(user, at: GraphBench.at(3), id: "after"),
            ]
        }
        let alice = bench.alice
        let disable = bench.call(
            "PATCH", "/v1.0/users/\(alice.userPrincipalName.uppercased())", body: #"{"accountEnabled":false}"#,
            at: GraphBench.at(2))
        #expect(disable.status == 204)
        let list = try decode(bench.get("/v1.0/auditLogs/signIns", at: GraphBench.at(4)))
        let byId = Dictionary(
            uniqueKeysWithValues: (list["value"]?.array ?? []).map { ($0["id"]?.string ?? "", $0) })
        #expect(byId["before"]?["status"]?["errorCode"]?.int == 0)
        #expect(byId["after"]?["status"]?["errorCode"]?.int == 50057)
        #expect(byId["after"]?["status"]?["failureReason"]?.string?.contains("disabled") == true)
        let user = try decode(bench.get("/v1.0/users/\(alice.id)", at: GraphBench.at(4)))
        #expect(user["accountEnabled"]?.bool == false)
        let earlier = try decode(bench.get("/v1.0/users/\(alice.id)", at: GraphBench.at(1.5)))
        #expect(earlier["accountEnabled"]?.bool == true)
        #expect(bench.writes(GraphAPI.WriteEndpoint.updateUser, alice.id) == 1)
    }

    // MARK: Users and domains

    @Test func usersPageThroughTheDirectoryOnce() throws {
        var bench = GraphBench()
        let walk = try bench.walk("/v1.0/users?$top=7", at: GraphBench.at(1))
        #expect(walk.pages == 5)
        #expect(walk.items.compactMap { $0["id"]?.string } == bench.world.directory.users.map(\.id))
        let first = walk.items[0]
        #expect(first["accountEnabled"]?.bool == true)
        #expect(first["department"]?.string == bench.world.directory.users[0].department)
        let filtered = try decode(
            bench.get(
                "/v1.0/users?$filter=userPrincipalName%20eq%20'\(bench.bob.userPrincipalName)'", at: GraphBench.at(1)))
        #expect(filtered["value"]?.array?.count == 1)
    }

    @Test func domainsListTheAcceptedDomains() throws {
        var bench = GraphBench()
        let domains = try decode(bench.get("/v1.0/domains", at: GraphBench.at(1)))["value"]?.array ?? []
        #expect(domains.compactMap { $0["id"]?.string } == bench.world.directory.domains.map(\.name))
        #expect(domains.first?["isDefault"]?.bool == true)
        #expect(domains.first?["supportedServices"]?.array == [.string("Email")])
    }

    // MARK: Messages

    @Test func messagesAppearOnlyAfterTheirTime() throws {
        var bench = GraphBench { world in
            let user = world.directory.users[5]
            world.timeline.messages = [
                GraphBench.message("m1", to: user, at: GraphBench.at(1)),
                GraphBench.message("m2", to: user, at: GraphBench.at(2)),
            ]
        }
        let alice = bench.alice
        let early = try decode(bench.get("/v1.0/users/\(alice.id)/messages", at: GraphBench.at(1.5)))
        #expect(early["value"]?.array?.compactMap { $0["id"]?.string } == ["m1"])
        let missing = bench.get("/v1.0/users/\(alice.id)/messages/m2", at: GraphBench.at(1.5))
        #expect(missing.status == 404)
        #expect(errorCode(missing) == "ErrorItemNotFound")
        let later = try decode(bench.get("/v1.0/users/\(alice.userPrincipalName)/messages", at: GraphBench.at(2)))
        #expect(later["value"]?.array?.compactMap { $0["id"]?.string } == ["m2", "m1"])
        let single = try decode(bench.get("/v1.0/users/\(alice.id)/messages/m2", at: GraphBench.at(2)))
        #expect(single["subject"]?.string == "Subject m2")
        #expect(single["from"]?["emailAddress"]?["address"]?.string == "mallory@fabrikam.example")
        #expect(single["body"]?["contentType"]?.string == "text")
        #expect(single["parentFolderId"]?.string == GraphAPI.folderId(alice.id, "inbox"))
    }

    @Test func messageListsPageWithSkipAndFolders() throws {
        var bench = GraphBench { world in
            let user = world.directory.users[5]
            world.timeline.messages = (0..<9).map { index in
                GraphBench.message(
                    "m\(index)", to: user, at: GraphBench.at(Double(index) / 10),
                    folder: index == 4 ? "junkemail" : "inbox")
            }
        }
        let alice = bench.alice
        let all = try bench.walk("/v1.0/users/\(alice.id)/messages?$top=4", at: GraphBench.at(2))
        #expect(all.items.count == 9)
        #expect(all.pages == 3)
        let inbox = try bench.walk("/v1.0/users/\(alice.id)/mailFolders('Inbox')/messages?$top=3", at: GraphBench.at(2))
        #expect(inbox.items.count == 8)
        let junk = try decode(bench.get("/v1.0/users/\(alice.id)/mailFolders/junkemail/messages", at: GraphBench.at(2)))
        #expect(junk["value"]?.array?.compactMap { $0["id"]?.string } == ["m4"])
    }

    @Test func moveGivesANewIdAndTheOldIdAnswers404() throws {
        var bench = GraphBench { world in
            world.timeline.messages = [GraphBench.message("m1", to: world.directory.users[5], at: GraphBench.at(1))]
        }
        let alice = bench.alice
        let moved = bench.call(
            "POST", "/v1.0/users/\(alice.id)/messages/m1/move", body: #"{"destinationId":"JunkEmail"}"#,
            at: GraphBench.at(2))
        #expect(moved.status == 201)
        let body = try decode(moved)
        let newId = try #require(body["id"]?.string)
        #expect(newId != "m1")
        #expect(body["parentFolderId"]?.string == GraphAPI.folderId(alice.id, "junkemail"))
        #expect(bench.state.movedMessages["m1"]?.newId == newId)
        #expect(bench.get("/v1.0/users/\(alice.id)/messages/m1", at: GraphBench.at(2)).status == 404)
        #expect(bench.get("/v1.0/users/\(alice.id)/messages/\(newId)", at: GraphBench.at(2)).status == 200)
        let junk = try decode(bench.get("/v1.0/users/\(alice.id)/mailFolders/junkemail/messages", at: GraphBench.at(2)))
        #expect(junk["value"]?.array?.compactMap { $0["id"]?.string } == [newId])
        // Moving the old id again: gone. A bad body: 400.
        let again = bench.call(
            "POST", "/v1.0/users/\(alice.id)/messages/m1/move", body: #"{"destinationId":"deleteditems"}"#,
            at: GraphBench.at(2))
        #expect(again.status == 404)
        let noDestination = bench.call(
            "POST", "/v1.0/users/\(alice.id)/messages/\(newId)/move", body: #"{"folder":"inbox"}"#, at: GraphBench.at(2)
        )
        #expect(noDestination.status == 400)
        #expect(errorCode(noDestination) == "ErrorInvalidRequest")
        let notJSON = bench.call(
            "POST", "/v1.0/users/\(alice.id)/messages/\(newId)/move", body: "{destinationId:", at: GraphBench.at(2))
        #expect(notJSON.status == 400)
        #expect(errorCode(notJSON) == "BadRequest")
        #expect(bench.writes(GraphAPI.WriteEndpoint.moveMessage, "m1") == 2)
        #expect(bench.writes(GraphAPI.WriteEndpoint.moveMessage, newId) == 2)
    }

    @Test func deleteRemovesTheMessageAndASecondDeleteAnswers404() throws {
        var bench = GraphBench { world in
            world.timeline.messages = [GraphBench.message("m1", to: world.directory.users[5], at: GraphBench.at(1))]
        }
        let alice = bench.alice
        #expect(bench.call("DELETE", "/v1.0/users/\(alice.id)/messages/m1", at: GraphBench.at(2)).status == 204)
        #expect(bench.call("DELETE", "/v1.0/users/\(alice.id)/messages/m1", at: GraphBench.at(2)).status == 404)
        #expect(bench.get("/v1.0/users/\(alice.id)/messages/m1", at: GraphBench.at(2)).status == 404)
        #expect(bench.writes(GraphAPI.WriteEndpoint.deleteMessage, "m1") == 2)
        // Another mailbox's owner cannot reach it either.
        #expect(bench.get("/v1.0/users/\(bench.bob.id)/messages/m1", at: GraphBench.at(1.5)).status == 404)
    }

    @Test func deltaFirstSyncThenIncrementalChangesIncludingRemovals() throws {
        var bench = GraphBench { world in
            let user = world.directory.users[5]
            world.timeline.messages =
                (1...5).map { GraphBench.message("m\($0)", to: user, at: GraphBench.at(Double($0) / 10)) } + [
                    GraphBench.message("junk1", to: user, at: GraphBench.at(0.55), folder: "junkemail"),
                    GraphBench.message("late", to: user, at: GraphBench.at(1.3)),
                    GraphBench.message("other", to: world.directory.users[6], at: GraphBench.at(1.3)),
                ]
        }
        let alice = bench.alice
        let pageSize = ["Prefer": "odata.maxpagesize=2"]
        let first = try bench.walk(
            "/v1.0/users/\(alice.id)/mailFolders/inbox/messages/delta", at: GraphBench.at(1), headers: pageSize)
        #expect(first.pages == 3)
        #expect(Set(first.items.compactMap { $0["id"]?.string }) == ["m1", "m2", "m3", "m4", "m5"])
        let deltaLink = try #require(first.last["@odata.deltaLink"]?.string)
        #expect(deltaLink.contains("$deltatoken="))
        #expect(first.last["@odata.nextLink"] == nil)

        // Nothing happened: nothing changed.
        let quiet = try decode(bench.get(deltaLink, at: GraphBench.at(1.05)))
        #expect(quiet["value"]?.array == [])

        // A move out of the inbox, a delete, a move into the inbox, a new arrival.
        let moveOut = bench.call(
            "POST", "/v1.0/users/\(alice.id)/messages/m2/move", body: #"{"destinationId":"deleteditems"}"#,
            at: GraphBench.at(1.1))
        #expect(moveOut.status == 201)
        #expect(bench.call("DELETE", "/v1.0/users/\(alice.id)/messages/m3", at: GraphBench.at(1.1)).status == 204)
        let moveIn = bench.call(
            "POST", "/v1.0/users/\(alice.id)/messages/junk1/move", body: #"{"destinationId":"inbox"}"#,
            at: GraphBench.at(1.2))
        let rescuedId = try #require(try decode(moveIn)["id"]?.string)

        let changes = try bench.walk(deltaLink, at: GraphBench.at(1.5))
        var removed: Set<String> = []
        var upserted: Set<String> = []
        for item in changes.items {
            let id = try #require(item["id"]?.string)
            if let reason = item["@removed"]?["reason"]?.string {
                #expect(reason == "deleted")
                #expect(item["@odata.type"]?.string == "#microsoft.graph.message")
                removed.insert(id)
            } else {
                upserted.insert(id)
            }
        }
        #expect(removed == ["m2", "m3"])
        #expect(upserted == ["late", rescuedId])

        // The next delta link starts where this one ended.
        let next = try #require(changes.last["@odata.deltaLink"]?.string)
        #expect(try decode(bench.get(next, at: GraphBench.at(1.6)))["value"]?.array == [])
        // The old link still answers the same changes (it is a moment, not a cursor).
        #expect(try bench.walk(deltaLink, at: GraphBench.at(1.6)).items.count == changes.items.count)
    }

    @Test func expiredOrMalformedDeltaTokenAnswers410() throws {
        var bench = GraphBench(deltaLifetime: 3600) { world in
            world.timeline.messages = [GraphBench.message("m1", to: world.directory.users[5], at: GraphBench.at(0.5))]
        }
        let alice = bench.alice
        let sync = try bench.walk("/v1.0/users/\(alice.id)/mailFolders/inbox/messages/delta", at: GraphBench.at(1))
        let deltaLink = try #require(sync.last["@odata.deltaLink"]?.string)
        #expect(bench.get(deltaLink, at: GraphBench.at(2)).status == 200)
        let expired = bench.get(deltaLink, at: GraphBench.at(2).addingTimeInterval(1))
        #expect(expired.status == 410)
        #expect(errorCode(expired) == "SyncStateNotFound")
        let malformed = bench.get(
            "/v1.0/users/\(alice.id)/mailFolders/inbox/messages/delta?$deltatoken=not-a-token", at: GraphBench.at(1))
        #expect(malformed.status == 410)
        // A token of one mailbox is no good for another.
        let foreign = deltaLink.replacingOccurrences(of: alice.id, with: bench.bob.id)
        #expect(bench.get(foreign, at: GraphBench.at(1)).status == 410)
    }

    @Test func sendMailIsKeptAndAnswers202() throws {
        var bench = GraphBench()
        let alice = bench.alice
        let body = #"""
            {"message":{"subject":"Security notice","body":{"contentType":"Text","content":"We removed a rule."},
            "toRecipients":[{"emailAddress":{"address":"bob@contoso.com"}}]},"saveToSentItems":false}
            """#
        let response = bench.call("POST", "/v1.0/users/\(alice.id)/sendMail", body: body, at: GraphBench.at(1))
        #expect(response.status == 202)
        #expect(bench.state.sentMail.count == 1)
        #expect(bench.state.sentMail.first?.to == ["bob@contoso.com"])
        #expect(bench.state.sentMail.first?.subject == "Security notice")
        let noRecipients = bench.call(
            "POST", "/v1.0/users/\(alice.id)/sendMail", body: #"{"message":{"subject":"x"}}"#, at: GraphBench.at(1))
        #expect(noRecipients.status == 400)
        #expect(bench.writes(GraphAPI.WriteEndpoint.sendMail, alice.id) == 2)
    }

    // MARK: Rules and settings

    @Test func ruleRemovalHidesItAndASecondDeleteAnswers404() throws {
        var bench = GraphBench { world in
            let user = world.directory.users[5]
            world.timeline.rules = [
                InboxRule(
                    id: "AQAAAHidden=", mailboxUserId: user.id, displayName: ".", sequence: 1,
                    conditions: .init(bodyOrSubjectContains: ["invoice", "payment"]),
                    actions: .init(
                        forwardTo: ["drop@fabrikam.example", world.directory.users[6].userPrincipalName],
                        moveToFolder: "RSSFeeds", markAsRead: true, stopProcessingRules: true),
                    createdAt: GraphBench.at(0.5), origin: .exchangeCmdlet),
                InboxRule(
                    id: "AQAAALater=", mailboxUserId: user.id, displayName: "later", sequence: 2, conditions: .init(),
                    actions: .init(delete: true), createdAt: GraphBench.at(3), origin: .outlookClient),
            ]
        }
        let alice = bench.alice
        let rulesPath = "/v1.0/users/\(alice.id)/mailFolders/inbox/messageRules"
        let listed = try decode(bench.get(rulesPath, at: GraphBench.at(1)))["value"]?.array ?? []
        #expect(listed.count == 1)
        let rule = try #require(listed.first)
        #expect(rule["hasError"]?.bool == false)
        #expect(rule["isReadOnly"]?.bool == false)
        #expect(rule["conditions"]?["bodyOrSubjectContains"]?.array == [.string("invoice"), .string("payment")])
        #expect(
            rule["actions"]?["forwardTo"]?.array?.first?["emailAddress"]?["address"]?.string == "drop@fabrikam.example")
        #expect(rule["actions"]?["forwardTo"]?.array?.last?["emailAddress"]?["name"]?.string == bench.bob.displayName)
        #expect(rule["actions"]?["moveToFolder"]?.string == GraphAPI.folderId(alice.id, "rssfeeds"))
        #expect(rule["actions"]?["stopProcessingRules"]?.bool == true)

        let first = bench.call("DELETE", rulesPath + "/AQAAAHidden=", at: GraphBench.at(1))
        #expect(first.status == 204)
        #expect(try decode(bench.get(rulesPath, at: GraphBench.at(1)))["value"]?.array == [])
        let second = bench.call(
            "DELETE", "/v1.0/users/\(alice.id)/mailFolders('inbox')/messageRules/AQAAAHidden=", at: GraphBench.at(1))
        #expect(second.status == 404)
        #expect(errorCode(second) == "ErrorItemNotFound")
        // Not yet created: 404 too.
        #expect(bench.call("DELETE", rulesPath + "/AQAAALater=", at: GraphBench.at(1)).status == 404)
        #expect(bench.writes(GraphAPI.WriteEndpoint.deleteRule, "AQAAAHidden=") == 2)
        #expect(bench.state.removedRules["AQAAAHidden="] == GraphBench.at(1))
        // Before the removal it was there: reads are of the moment.
        #expect(try decode(bench.get(rulesPath, at: GraphBench.at(0.9)))["value"]?.array?.count == 1)
    }

    @Test func mailboxSettingsHaveNoForwarding() throws {
        var bench = GraphBench()
        let settings = try decode(bench.get("/v1.0/users/\(bench.alice.id)/mailboxSettings", at: GraphBench.at(1)))
        #expect(settings["automaticRepliesSetting"]?["status"]?.string == "disabled")
        #expect(settings["timeZone"]?.string != nil)
        #expect(settings["forwardingSmtpAddress"] == nil)
    }

    // MARK: Identity Protection and security

    @Test func riskyUsersShowTheLatestRiskAndConfirmationOverrides() throws {
        var bench = GraphBench { world in
            let alice = world.directory.users[5]
            let bob = world.directory.users[6]
            world.timeline.riskyUsers = [
                RiskyUserState(
                    userId: alice.id, userPrincipalName: alice.userPrincipalName, displayName: alice.displayName,
                    riskLevel: "medium", riskState: "atRisk", riskDetail: "none", since: GraphBench.at(1)),
                RiskyUserState(
                    userId: alice.id, userPrincipalName: alice.userPrincipalName, displayName: alice.displayName,
                    riskLevel: "high", riskState: "atRisk", riskDetail: "none", since: GraphBench.at(2)),
                RiskyUserState(
                    userId: bob.id, userPrincipalName: bob.userPrincipalName, displayName: bob.displayName,
                    riskLevel: "low", riskState: "atRisk", riskDetail: "none", since: GraphBench.at(1.5)),
            ]
        }
        let (alice, bob) = (bench.alice, bench.bob)
        let early = try decode(bench.get("/v1.0/identityProtection/riskyUsers", at: GraphBench.at(1.2)))["value"]?.array
        #expect(early?.count == 1)
        #expect(early?.first?["riskLevel"]?.string == "medium")
        let high = try decode(
            bench.get("/v1.0/identityProtection/riskyUsers?$filter=riskLevel%20eq%20'high'", at: GraphBench.at(3)))
        #expect(high["value"]?.array?.compactMap { $0["id"]?.string } == [alice.id])
        let confirm = bench.call(
            "POST", "/v1.0/identityProtection/riskyUsers/confirmCompromised", body: #"{"userIds":["\#(bob.id)"]}"#,
            at: GraphBench.at(3))
        #expect(confirm.status == 204)
        let bobNow = try decode(bench.get("/v1.0/identityProtection/riskyUsers/\(bob.id)", at: GraphBench.at(3)))
        #expect(bobNow["riskState"]?.string == "confirmedCompromised")
        #expect(bobNow["riskLevel"]?.string == "high")
        #expect(bench.writes(GraphAPI.WriteEndpoint.confirmCompromised, bob.id) == 1)
        let byUPN = bench.call(
            "POST", "/v1.0/identityProtection/riskyUsers/confirmCompromised",
            body: #"{"userIds":["\#(bob.userPrincipalName)"]}"#, at: GraphBench.at(3))
        #expect(byUPN.status == 400)
    }

    @Test func alertsPageAndCarryEvidence() throws {
        var bench = GraphBench(pageSize: 2) { world in
            let alice = world.directory.users[5]
            let message = GraphBench.message("m1", to: alice, at: GraphBench.at(0.5))
            world.timeline.messages = [message]
            world.timeline.alerts = (0..<5).map { index in
                SecurityAlert(
                    id: "fa\(index)", title: "Suspicious email sending patterns detected", severity: "medium",
                    category: "SuspiciousActivity", detectionSource: "microsoftDefenderForOffice365",
                    serviceSource: "microsoftDefenderForOffice365", userId: alice.id,
                    userPrincipalName: alice.userPrincipalName, createdAt: GraphBench.at(1 + Double(index) / 10),
                    description: "d", messageInternetId: index == 0 ? message.internetMessageId : nil)
            }
        }
        let walk = try bench.walk(
            "/v1.0/security/alerts_v2?$filter=createdDateTime%20ge%202026-11-20T01:06:00Z", at: GraphBench.at(3))
        #expect(walk.items.compactMap { $0["id"]?.string } == ["fa4", "fa3", "fa2", "fa1"])
        let oldest = try decode(bench.get("/v1.0/security/alerts_v2/fa0", at: GraphBench.at(3)))
        let evidence = oldest["evidence"]?.array ?? []
        #expect(evidence.first?["@odata.type"]?.string == "#microsoft.graph.security.userEvidence")
        #expect(evidence.first?["userAccount"]?["azureAdUserId"]?.string == bench.alice.id)
        #expect(evidence.contains { $0["internetMessageId"]?.string == "<m1@fabrikam.example>" })
        #expect(oldest["status"]?.string == "new")
    }

    @Test func threatSubmissionsOnlyUnderBeta() throws {
        var bench = GraphBench { world in
            let alice = world.directory.users[5]
            world.timeline.threatSubmissions = [
                ThreatSubmission(
                    id: "sub1", createdAt: GraphBench.at(1), reporterUserId: alice.id,
                    reporterUserPrincipalName: alice.userPrincipalName, recipientEmailAddress: alice.userPrincipalName,
                    sender: "mallory@fabrikam.example", subject: "Invoice", internetMessageId: "<x@fabrikam.example>",
                    category: "phishing", receivedDateTime: GraphBench.at(0.5))
            ]
        }
        let beta = try decode(bench.get("/beta/security/threatSubmission/emailThreats", at: GraphBench.at(2)))
        let item = try #require(beta["value"]?.array?.first)
        #expect(item["source"]?.string == "user")
        #expect(item["status"]?.string == "succeeded")
        #expect(item["createdBy"]?["user"]?["email"]?.string == bench.alice.userPrincipalName)
        #expect(
            try decode(bench.get("/beta/security/threatSubmission/emailThreats", at: GraphBench.at(0.9)))["value"]?
                .array == [])
        let v1 = bench.get("/v1.0/security/threatSubmission/emailThreats", at: GraphBench.at(2))
        #expect(v1.status == 400)
        #expect(errorCode(v1) == "BadRequest")
        #expect(try decode(v1)["error"]?["message"]?.string == "Resource not found for the segment 'threatSubmission'.")
    }

    // MARK: Writes, permissions, errors

    @Test func revokeSessionsIsRecorded() throws {
        var bench = GraphBench()
        let alice = bench.alice
        let response = bench.call(
            "POST", "/v1.0/users/\(alice.userPrincipalName)/revokeSignInSessions", at: GraphBench.at(1))
        #expect(response.status == 200)
        let body = try decode(response)
        #expect(body["value"]?.bool == true)
        #expect(body["@odata.context"]?.string == GraphBench.base + "/v1.0/$metadata#Edm.Boolean")
        #expect(bench.state.revokedSessions[alice.id] == [GraphBench.at(1)])
        #expect(bench.writes(GraphAPI.WriteEndpoint.revokeSignInSessions, alice.id) == 1)
    }

    @Test func writesAreCountedPerEndpointAndTarget() throws {
        var bench = GraphBench()
        let (alice, bob) = (bench.alice, bench.bob)
        for _ in 0..<3 { _ = bench.call("POST", "/v1.0/users/\(alice.id)/revokeSignInSessions", at: GraphBench.at(1)) }
        _ = bench.call("POST", "/v1.0/users/\(bob.id)/revokeSignInSessions", at: GraphBench.at(1))
        _ = bench.call(
            "PATCH", "/v1.0/users/\(alice.id)", body: #"{"passwordProfile":{"forceChangePasswordNextSignIn":true}}"#,
            at: GraphBench.at(1))
        // Failures count too: a forbidden call, an unknown user.
        let forbidden = bench.call(
            "POST", "/v1.0/users/\(bob.id)/revokeSignInSessions", roles: ["User.Read.All"], at: GraphBench.at(1))
        #expect(forbidden.status == 403)
        let unknown = bench.call("POST", "/v1.0/users/nobody@contoso.com/revokeSignInSessions", at: GraphBench.at(1))
        #expect(unknown.status == 404)
        #expect(errorCode(unknown) == "Request_ResourceNotFound")
        #expect(bench.writes(GraphAPI.WriteEndpoint.revokeSignInSessions, alice.id) == 3)
        #expect(bench.writes(GraphAPI.WriteEndpoint.revokeSignInSessions, bob.id) == 2)
        #expect(bench.writes(GraphAPI.WriteEndpoint.revokeSignInSessions, "nobody@contoso.com") == 1)
        #expect(bench.writes(GraphAPI.WriteEndpoint.updateUser, alice.id) == 1)
        #expect(bench.state.passwordChangeRequired[alice.id] == GraphBench.at(1))
        #expect(bench.state.recentWrites.map(\.status) == [200, 200, 200, 200, 204, 403, 404])
        // Reads are not writes.
        _ = bench.get("/v1.0/users/\(alice.id)", at: GraphBench.at(1))
        #expect(bench.state.recentWrites.count == 7)
    }

    @Test func missingRoleAnswers403() throws {
        var bench = GraphBench()
        let alice = bench.alice
        let users = bench.get("/v1.0/users", roles: [], at: GraphBench.at(1))
        #expect(users.status == 403)
        #expect(errorCode(users) == "Authorization_RequestDenied")
        #expect(try decode(users)["error"]?["message"]?.string == "Insufficient privileges to complete the operation.")
        let mail = bench.get("/v1.0/users/\(alice.id)/messages", roles: ["User.Read.All"], at: GraphBench.at(1))
        #expect(mail.status == 403)
        #expect(errorCode(mail) == "ErrorAccessDenied")
        #expect(bench.get("/v1.0/users/\(alice.id)/messages", roles: ["Mail.Read"], at: GraphBench.at(1)).status == 200)
        let readOnlyDelete = bench.call(
            "DELETE", "/v1.0/users/\(alice.id)/mailFolders/inbox/messageRules/x", roles: ["MailboxSettings.Read"],
            at: GraphBench.at(1))
        #expect(readOnlyDelete.status == 403)
        // Disabling needs User.EnableDisableAccount.All together with User.Read.All.
        let disableOnly = bench.call(
            "PATCH", "/v1.0/users/\(alice.id)", body: #"{"accountEnabled":false}"#,
            roles: ["User.EnableDisableAccount.All"], at: GraphBench.at(1))
        #expect(disableOnly.status == 403)
        #expect(bench.state.disabledAccounts.isEmpty)
        let disable = bench.call(
            "PATCH", "/v1.0/users/\(alice.id)", body: #"{"accountEnabled":false}"#,
            roles: ["User.EnableDisableAccount.All", "User.Read.All"], at: GraphBench.at(1))
        #expect(disable.status == 204)
        let password = bench.call(
            "PATCH", "/v1.0/users/\(alice.id)", body: #"{"passwordProfile":{"forceChangePasswordNextSignIn":true}}"#,
            roles: ["User.EnableDisableAccount.All", "User.Read.All"], at: GraphBench.at(1))
        #expect(password.status == 403)
        #expect(
            bench.get("/beta/security/threatSubmission/emailThreats", roles: [], at: GraphBench.at(1)).status == 403)
        #expect(bench.writes(GraphAPI.WriteEndpoint.updateUser, alice.id) == 3)
    }

    @Test func unknownUsersPathsAndBodiesAnswerGraphErrors() throws {
        var bench = GraphBench()
        let unknownUser = bench.get("/v1.0/users/ghost@contoso.com", at: GraphBench.at(1))
        #expect(unknownUser.status == 404)
        #expect(errorCode(unknownUser) == "Request_ResourceNotFound")
        #expect(
            errorCode(bench.get("/v1.0/users/ghost@contoso.com/messages", at: GraphBench.at(1))) == "ErrorInvalidUser")
        let segment = bench.get("/v1.0/usres", at: GraphBench.at(1))
        #expect(segment.status == 400)
        #expect(try decode(segment)["error"]?["message"]?.string == "Resource not found for the segment 'usres'.")
        #expect(bench.call("DELETE", "/v1.0/users", at: GraphBench.at(1)).status == 405)
        let badPatch = bench.call("PATCH", "/v1.0/users/\(bench.alice.id)", body: "{", at: GraphBench.at(1))
        #expect(badPatch.status == 400)
        #expect(errorCode(badPatch) == "BadRequest")
        let otherProperty = bench.call(
            "PATCH", "/v1.0/users/\(bench.alice.id)", body: #"{"department":"Sales"}"#, at: GraphBench.at(1))
        #expect(otherProperty.status == 400)
        #expect(bench.get("/v1.0/me/messages", at: GraphBench.at(1)).status == 400)
    }

    @Test func answersAreDeterministic() throws {
        func run() -> [Data] {
            var bench = GraphBench(pageSize: 3) { world in
                let users = world.directory.users
                world.timeline.signIns = (0..<10).map {
                    GraphBench.signIn(users[$0], at: GraphBench.at(Double($0) / 10), id: "s\($0)")
                }
                world.timeline.messages = (0..<4).map {
                    GraphBench.message("m\($0)", to: users[5], at: GraphBench.at(Double($0) / 10))
                }
            }
            let alice = bench.alice
            return [
                bench.get("/v1.0/auditLogs/signIns", at: GraphBench.at(2)).body,
                bench.call(
                    "POST", "/v1.0/users/\(alice.id)/messages/m1/move", body: #"{"destinationId":"junkemail"}"#,
                    at: GraphBench.at(2)
                ).body,
                bench.get("/v1.0/users/\(alice.id)/mailFolders/inbox/messages/delta", at: GraphBench.at(2)).body,
            ]
        }
        #expect(run() == run())
    }
}
