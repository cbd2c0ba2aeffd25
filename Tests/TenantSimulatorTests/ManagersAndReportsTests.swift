import Foundation
import Testing

@testable import TenantSimulator

/// Managers (`users/{id}/manager`, `$expand=manager`) and the phishing-report mailbox
/// (report messages, their item attachments, delta), as a client meets them over HTTP.
@Suite(.serialized)
struct ManagersAndReportsTests {
    static let graph = "https://graph.microsoft.com/.default"

    /// A collector-token session against a running simulator.
    struct Session {
        let simulator: RunningSimulator
        let auth: [String: String]

        static func start(_ configuration: SimulatorConfiguration, now: Date = Fixtures.afterEverything) async throws
            -> Session
        {
            let simulator = try await RunningSimulator.start(configuration, now: now)
            let token = try await simulator.token(scope: ManagersAndReportsTests.graph)
            return Session(simulator: simulator, auth: ["Authorization": "Bearer " + token])
        }

        var world: SimulatedWorld { simulator.tenant.world }

        func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPExchange {
            try await simulator.send("GET", path, headers: auth.merging(headers) { _, new in new })
        }

        /// Every item of a collection, following `@odata.nextLink`; the last page too.
        func walk(_ path: String, headers: [String: String] = [:]) async throws -> (
            items: [[String: Any]], last: [String: Any]
        ) {
            var items: [[String: Any]] = []
            var next: String? = path
            var last: [String: Any] = [:]
            var pages = 0
            while let link = next {
                let page = try await get(link, headers: headers)
                try #require(page.status == 200, "\(link): \(page.text)")
                last = try #require(page.object)
                items += last["value"] as? [[String: Any]] ?? []
                next = last["@odata.nextLink"] as? String
                pages += 1
                try #require(pages < 200)
            }
            return (items, last)
        }

        func stop() async { await simulator.stop() }
    }

    static func address(_ recipient: Any?) -> String? {
        ((recipient as? [String: Any])?["emailAddress"] as? [String: Any])?["address"] as? String
    }

    // MARK: Managers

    @Test func everyPersonButTheTopHasAManagerInTheDirectory() {
        let directory = SimulatedWorld(configuration: Fixtures.configuration(users: 25)).directory
        let byId = Dictionary(uniqueKeysWithValues: directory.users.map { ($0.id, $0) })
        for user in directory.users {
            let manager = directory.manager(of: user)
            switch user.jobTitle {
            case "Chief Executive Officer": #expect(manager == nil)
            case "Chief Financial Officer": #expect(manager?.jobTitle == "Chief Executive Officer")
            default:
                if user.isProtected || user.isSharedMailbox {
                    #expect(manager == nil, "\(user.userPrincipalName)")
                } else {
                    #expect(manager != nil, "\(user.userPrincipalName) has no manager")
                }
            }
            // The chain ends at the CEO, without a loop.
            var seen: Set<String> = [user.id]
            var current = manager
            while let next = current {
                #expect(seen.insert(next.id).inserted, "a management loop through \(next.userPrincipalName)")
                #expect(byId[next.id] != nil)
                current = directory.manager(of: next)
                if seen.count > directory.users.count { break }
            }
        }
        // Department managers are named as such and report to the CEO; their staff report to them.
        let heads = directory.users.filter { $0.jobTitle.hasSuffix(" Manager") && $0.department != "Finance" }
        #expect(!heads.isEmpty)
        for head in heads {
            #expect(head.jobTitle == "\(head.department) Manager")
            #expect(directory.manager(of: head)?.jobTitle == "Chief Executive Officer")
        }
        for user in directory.users where user.department == "Finance" && !user.isVIP {
            #expect(directory.manager(of: user)?.jobTitle == "Chief Financial Officer")
        }
    }

    @Test func managerEndpointAnswersTheManagerAndNotFoundAtTheTop() async throws {
        let session = try await Session.start(Fixtures.configuration(users: 20))
        let directory = session.world.directory
        let staff = try #require(directory.users.first { !$0.isVIP && !$0.isProtected && !$0.isSharedMailbox })
        let manager = try #require(directory.manager(of: staff))

        let response = try await session.get("/v1.0/users/\(staff.userPrincipalName)/manager")
        #expect(response.status == 200, "\(response.text)")
        let object = try #require(response.object)
        #expect((object["@odata.context"] as? String)?.hasSuffix("/v1.0/$metadata#directoryObjects/$entity") == true)
        #expect(object["@odata.type"] as? String == "#microsoft.graph.user")
        #expect(object["id"] as? String == manager.id)
        #expect(object["displayName"] as? String == manager.displayName)
        #expect(object["userPrincipalName"] as? String == manager.userPrincipalName)
        #expect(object["mail"] as? String == manager.userPrincipalName)
        #expect(object["jobTitle"] as? String == manager.jobTitle)
        #expect(object["department"] as? String == manager.department)

        let selected = try #require(
            try await session.get("/v1.0/users/\(staff.id)/manager?$select=displayName,jobTitle").object)
        #expect(Set(selected.keys) == ["@odata.context", "@odata.type", "id", "displayName", "jobTitle"])

        for top in directory.users where directory.manager(of: top) == nil {
            let none = try await session.get("/v1.0/users/\(top.id)/manager")
            #expect(none.status == 404, "\(top.userPrincipalName)")
            #expect(none.errorCode == "Request_ResourceNotFound")
        }
        #expect(try await session.get("/v1.0/users/ghost@contoso.com/manager").status == 404)
        await session.stop()
    }

    @Test func expandManagerAddsTheManagerOnEveryPageAndKeepsSelect() async throws {
        // 5 users per Graph page: the expansion must survive the nextLinks.
        var configuration = Fixtures.configuration(users: 17)
        configuration.graphPageSize = 5
        let session = try await Session.start(configuration)
        let directory = session.world.directory

        let walk = try await session.walk(
            "/v1.0/users?$select=id,displayName,department,jobTitle&$expand=manager($select=id,displayName)")
        #expect(walk.items.count == directory.users.count)
        for item in walk.items {
            let user = try #require(directory.user(id: item["id"] as? String ?? ""))
            #expect(item["department"] is String || user.department.isEmpty)
            #expect(item["jobTitle"] is String || user.jobTitle.isEmpty)
            #expect(item["mail"] == nil, "not selected")
            if let manager = directory.manager(of: user) {
                let expanded = try #require(item["manager"] as? [String: Any], "\(user.userPrincipalName)")
                #expect(Set(expanded.keys) == ["@odata.type", "id", "displayName"])
                #expect(expanded["id"] as? String == manager.id)
                #expect(expanded["displayName"] as? String == manager.displayName)
            } else {
                #expect(item["manager"] == nil, "\(user.userPrincipalName) has no manager to expand")
            }
        }

        // One user, the whole chain: staff → department manager → CEO, who has none.
        let staff = try #require(
            directory.users.first { user in
                directory.manager(of: user).map { directory.manager(of: $0) != nil } ?? false
                    && directory.manager(of: user)?.isVIP == false
            })
        let single = try #require(try await session.get("/v1.0/users/\(staff.id)?$expand=manager($levels=max)").object)
        let first = try #require(single["manager"] as? [String: Any])
        #expect(first["id"] as? String == staff.managerId)
        #expect(first["department"] as? String == directory.manager(of: staff)?.department)
        let second = try #require(first["manager"] as? [String: Any])
        #expect(second["jobTitle"] as? String == "Chief Executive Officer")
        #expect(second["manager"] == nil)
        // Without $levels only the immediate manager.
        let immediate = try #require(try await session.get("/v1.0/users/\(staff.id)?$expand=manager").object)
        #expect((immediate["manager"] as? [String: Any])?["manager"] == nil)
        // No $expand, no manager; an unknown relationship is refused.
        #expect(try await session.get("/v1.0/users/\(staff.id)?$select=id,manager").object?["manager"] == nil)
        let unknown = try await session.get("/v1.0/users/\(staff.id)?$expand=memberOf")
        #expect(unknown.status == 400)
        #expect(unknown.errorCode == "BadRequest")
        await session.stop()
    }

    // MARK: The report mailbox

    @Test func theReportMailboxIsASharedMailboxThatNobodyUses() async throws {
        let session = try await Session.start(
            Fixtures.configuration(scenarios: ScenarioCatalog.attacks.map(\.name), users: 40))
        let world = session.world
        let upn = try #require(world.directory.reportMailbox)
        #expect(upn == "phishreports@contoso.com")
        let mailbox = try #require(world.directory.reportMailboxUser)
        #expect(mailbox.isSharedMailbox && !mailbox.isVIP && !mailbox.isProtected)
        #expect(world.directory.users.filter(\.isSharedMailbox).map(\.id) == [mailbox.id])
        #expect(!world.timeline.signIns.contains { $0.userId == mailbox.id })
        let named = Set(
            world.groundTruth.expectedStories.map(\.user) + world.groundTruth.benignLookAlikes.map(\.user))
        #expect(!named.contains(upn))
        // Only reports arrive there.
        let delivered = world.timeline.messages.filter { $0.mailboxUserId == mailbox.id }
        #expect(Set(delivered.map(\.id)) == Set(world.timeline.userReports.map(\.reportMessageId)))

        let user = try #require(try await session.get("/v1.0/users/\(upn)").object)
        #expect(user["accountEnabled"] as? Bool == false)
        #expect(user["displayName"] as? String == "Phishing Reports")
        let info = try #require(try await session.simulator.send("GET", "/sim/info").object)
        #expect(info["reportMailbox"] as? String == upn)
        let reports = try #require(try await session.simulator.send("GET", "/sim/user-reports").object)
        #expect((reports["value"] as? [Any])?.count == world.timeline.userReports.count)
        await session.stop()
    }

    @Test func everyReportIsListedWithTheOriginalAsAnItemAttachment() async throws {
        let session = try await Session.start(
            Fixtures.configuration(scenarios: ["login-then-phish", "phish-spray"], users: 40))
        let world = session.world
        let mailbox = try #require(world.directory.reportMailbox)
        let reports = world.timeline.userReports
        // Both login-then-phish users, one phish-spray recipient, at least one newsletter.
        #expect(reports.filter { $0.verdict == .phish }.count == 3)
        #expect(reports.contains { $0.verdict == .clean && $0.channel == .forwardedAsAttachment })
        let submissions = Dictionary(uniqueKeysWithValues: world.timeline.threatSubmissions.map { ($0.id, $0) })
        for report in reports {
            switch report.channel {
            case .reportButton:
                let submission = try #require(submissions[report.submissionId ?? ""])
                #expect(submission.internetMessageId == report.originalInternetMessageId)
                #expect(submission.reporterUserId == report.reporterUserId)
                #expect(report.reportSubject == "Phishing report: " + report.originalSubject)
            case .forwardedAsAttachment:
                #expect(report.submissionId == nil)
                #expect(report.reportSubject == "FW: " + report.originalSubject)
            }
            #expect(report.receivedDateTime > report.reportedAt)
            #expect(report.receivedDateTime.timeIntervalSince(report.reportedAt) <= 30)
        }
        // The phish-spray report names an internal sender: the compromised account.
        #expect(reports.contains { world.directory.isInternal(address: $0.originalSender) && $0.verdict == .phish })

        let listed = try await session.walk("/v1.0/users/\(mailbox)/mailFolders/inbox/messages?$top=2")
        #expect(Set(listed.items.compactMap { $0["id"] as? String }) == Set(reports.map(\.reportMessageId)))
        let byId = Dictionary(uniqueKeysWithValues: listed.items.map { ($0["id"] as? String ?? "", $0) })

        for report in reports {
            let context = "\(report.reporterUserPrincipalName): \(report.originalSubject)"
            let message = try #require(byId[report.reportMessageId], "\(context)")
            #expect(message["subject"] as? String == report.reportSubject, "\(context)")
            #expect(message["hasAttachments"] as? Bool == true, "\(context)")
            #expect(Self.address(message["from"]) == report.reporterUserPrincipalName, "\(context)")
            #expect(message["receivedDateTime"] as? String == SimTime.graphTime(report.receivedDateTime))
            #expect(message["internetMessageId"] as? String == report.reportInternetMessageId)
            #expect(message["sentDateTime"] as? String == SimTime.graphTime(report.reportedAt))

            let base = "/v1.0/users/\(mailbox)/messages/\(report.reportMessageId)/attachments"
            let list = try await session.get(base)
            #expect(list.status == 200, "\(list.text)")
            let attachments = try #require(list.object?["value"] as? [[String: Any]])
            #expect(attachments.count == 1, "\(context)")
            let attachment = try #require(attachments.first)
            #expect(attachment["@odata.type"] as? String == "#microsoft.graph.itemAttachment")
            #expect(attachment["id"] as? String == report.attachmentId)
            #expect(attachment["name"] as? String == report.originalSubject)
            #expect(attachment["contentType"] is NSNull, "Graph answers null for an item attachment")
            #expect(attachment["isInline"] as? Bool == false)
            #expect((attachment["size"] as? Int ?? 0) > 0)
            #expect(attachment["lastModifiedDateTime"] is String)
            #expect(attachment["item"] == nil, "not expanded")

            let expanded = try await session.get(
                "/v1.0/users/\(mailbox)/mailFolders/inbox/messages/\(report.reportMessageId)/attachments/"
                    + "\(report.attachmentId)?$expand=microsoft.graph.itemattachment/item")
            #expect(expanded.status == 200, "\(expanded.text)")
            let object = try #require(expanded.object)
            #expect((object["@odata.context"] as? String)?.hasSuffix("/attachments/$entity") == true)
            #expect(object["item@odata.context"] is String)
            let item = try #require(object["item"] as? [String: Any])
            #expect(item["@odata.type"] as? String == "#microsoft.graph.message")
            #expect(item["id"] is String)
            #expect(item["internetMessageId"] as? String == report.originalInternetMessageId, "\(context)")
            #expect(item["subject"] as? String == report.originalSubject)
            #expect(Self.address(item["from"]) == report.originalSender)
            #expect(Self.address(item["sender"]) == report.originalSender)
            #expect(
                ((item["from"] as? [String: Any])?["emailAddress"] as? [String: Any])?["name"] as? String
                    == report.originalSenderName)
            let to = (item["toRecipients"] as? [Any] ?? []).compactMap(Self.address)
            #expect(to.contains(report.reporterUserPrincipalName), "the reporter received the original")
            #expect(item["receivedDateTime"] as? String == SimTime.graphTime(report.originalReceivedDateTime))
            #expect(item["sentDateTime"] is String)
            let body = try #require(item["body"] as? [String: Any])
            #expect(body["contentType"] as? String == "text")
            #expect((body["content"] as? String)?.isEmpty == false)
            let headers = try #require(item["internetMessageHeaders"] as? [[String: Any]])
            func header(_ name: String) -> String? {
                headers.first { ($0["name"] as? String) == name }?["value"] as? String
            }
            #expect(header("Message-ID") == report.originalInternetMessageId)
            #expect(header("Subject") == report.originalSubject)
            #expect(header("From")?.contains("<\(report.originalSender)>") == true)
            #expect(header("Received") != nil && header("Date") != nil)

            // The same attachments, expanded in the list; and the raw MIME.
            let expandedList = try #require(
                try await session.get(base + "?$expand=microsoft.graph.itemAttachment/item").object)
            let listedItem = (expandedList["value"] as? [[String: Any]])?.first?["item"] as? [String: Any]
            #expect(listedItem?["internetMessageId"] as? String == report.originalInternetMessageId)
            let raw = try await session.get(base + "/\(report.attachmentId)/$value")
            #expect(raw.status == 200)
            #expect(raw.text.contains("Message-ID: \(report.originalInternetMessageId)\r\n"))
            #expect(raw.body.count == attachment["size"] as? Int)
        }
        await session.stop()
    }

    @Test func attachmentErrorsAreGraphs() async throws {
        let session = try await Session.start(Fixtures.configuration(scenarios: ["login-then-phish"], users: 20))
        let world = session.world
        let mailbox = try #require(world.directory.reportMailbox)
        let report = try #require(world.timeline.userReports.first)
        let base = "/v1.0/users/\(mailbox)/messages/\(report.reportMessageId)/attachments"
        let missing = try await session.get(base + "/AAMkADnothere=")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "ErrorItemNotFound")
        let noMessage = try await session.get("/v1.0/users/\(mailbox)/messages/AAMkADnothere=/attachments")
        #expect(noMessage.status == 404)
        let badExpand = try await session.get(base + "?$expand=item")
        #expect(badExpand.status == 400)
        #expect(badExpand.errorCode == "BadRequest")
        // An ordinary message has an empty attachment list.
        let plain = try #require(
            world.timeline.messages.first {
                $0.folder == "inbox" && $0.attachments.isEmpty && $0.receivedDateTime < Fixtures.afterEverything
            })
        let owner = try #require(world.directory.users.first { $0.id == plain.mailboxUserId })
        let empty = try await session.get("/v1.0/users/\(owner.id)/messages/\(plain.id)/attachments")
        #expect(empty.status == 200)
        #expect((empty.object?["value"] as? [Any])?.isEmpty == true)
        await session.stop()

        // Reading attachments needs Mail.Read, like the message.
        var state = TenantState()
        let api = GraphAPI(world: world, baseURL: "http://127.0.0.1:9000")
        let request = SimRequest(method: "GET", target: base)
        let refused = api.handle(request, roles: ["User.Read.All"], state: &state, now: Fixtures.afterEverything)
        #expect(refused.status == 403)
        #expect(Fixtures.errorCode(refused) == "ErrorAccessDenied")
        let allowed = api.handle(request, roles: ["Mail.Read"], state: &state, now: Fixtures.afterEverything)
        #expect(allowed.status == 200)
    }

    @Test func theReportMailboxDeltaCarriesEachReportOnce() async throws {
        let configuration = Fixtures.configuration(scenarios: ["login-then-phish", "phish-spray"], users: 40)
        let reports = SimulatedWorld(configuration: configuration).timeline.userReports
        try #require(reports.count >= 3)
        // The clock stands between two reports: the first sync sees those before it,
        // the delta link later the rest.
        let middle = reports[reports.count / 2].receivedDateTime.addingTimeInterval(-0.5)
        let session = try await Session.start(configuration, now: middle)
        let mailbox = try #require(session.world.directory.reportMailbox)
        let pageSize = ["Prefer": "odata.maxpagesize=1"]
        let first = try await session.walk("/v1.0/users/\(mailbox)/mailFolders/inbox/messages/delta", headers: pageSize)
        let early = reports.filter { $0.receivedDateTime <= middle }.map(\.reportMessageId)
        #expect(first.items.compactMap { $0["id"] as? String }.sorted() == early.sorted())
        #expect(first.items.allSatisfy { $0["hasAttachments"] as? Bool == true })
        let deltaLink = try #require(first.last["@odata.deltaLink"] as? String)

        // A day later: the old token has expired, the delta link has not.
        await session.simulator.tenant.setClock(to: Fixtures.afterEverything)
        let fresh = try await session.simulator.token(scope: Self.graph)
        let rest = try await session.walk(deltaLink, headers: ["Authorization": "Bearer " + fresh])
        let late = reports.filter { $0.receivedDateTime > middle }.map(\.reportMessageId)
        #expect(!late.isEmpty)
        #expect(rest.items.compactMap { $0["id"] as? String }.sorted() == late.sorted())
        await session.stop()
    }

    // MARK: Determinism

    @Test func theSameSeedGivesTheSameReportsManagersAndAnswers() async throws {
        let names = ["login-then-phish", "phish-spray"]
        func capture(_ seed: UInt64) async throws -> (
            reports: [UserReport], directory: TenantDirectory, texts: [String]
        ) {
            let session = try await Session.start(Fixtures.configuration(seed: seed, scenarios: names, users: 30))
            let world = session.world
            let mailbox = try #require(world.directory.reportMailbox)
            var texts: [String] = []
            texts.append(try await session.get("/v1.0/users?$expand=manager&$top=999").text)
            texts.append(try await session.get("/v1.0/users/\(mailbox)/messages?$top=999").text)
            for report in world.timeline.userReports {
                texts.append(
                    try await session.get(
                        "/v1.0/users/\(mailbox)/messages/\(report.reportMessageId)/attachments"
                            + "?$expand=microsoft.graph.itemattachment/item"
                    ).text)
            }
            let base = session.simulator.baseURL
            await session.stop()
            return (
                world.timeline.userReports, world.directory,
                texts.map { $0.replacingOccurrences(of: base, with: "BASE") }
            )
        }
        let first = try await capture(7)
        let second = try await capture(7)
        let other = try await capture(8)
        #expect(!first.reports.isEmpty)
        #expect(first.reports == second.reports)
        #expect(first.directory == second.directory)
        #expect(first.texts == second.texts)
        #expect(first.reports != other.reports)
        #expect(first.directory != other.directory)
    }
}
