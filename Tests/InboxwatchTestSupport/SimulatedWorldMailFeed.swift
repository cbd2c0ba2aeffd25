#if DEBUG
    import Foundation

    @testable import Collector
    @testable import Events
    @testable import M365
    @testable import TenantSimulator

    /// One cycle of every source of the mail collector (`MailCollector` with `once` and
    /// `--since`) over the simulator's Graph, answered in-process. The requests are the ones the
    /// collector's sources make (same paths, `$filter`, `$select`, `$expand`), answered by
    /// ``GraphAPI`` (sign-ins and inboxes, most of the items, by the pieces its handlers answer
    /// with: see ``InProcessGraph``), and the answers go through the collector's own pieces: `MailWindowState` plans the windows, `MailWindowItem`
    /// makes the changes of sign-ins, risky users, submissions and alerts, `SnapshotState` those
    /// of user profiles, domains, inbox rules and mailbox settings, `MessageDeltaState` classifies
    /// messages, `UserReportParser` reads reports. Each source remembers the `ce_id`s it
    /// published, as the collector's dedupe memory does.
    struct MailFeed: Sendable {
        let world: SimulatedWorld
        let now: Date
        let since: Date
        let catalog: TopicCatalog
        let graph: InProcessGraph
        /// As the pipeline fixtures configure the collector: every accepted domain, the report mailbox.
        let settings: MailCollector.Settings

        private var tenantId: String { world.directory.tenantId }
        private static let stage = "collector.mail"

        init(world: SimulatedWorld, now: Date, since: Date, catalog: TopicCatalog) {
            self.world = world
            self.now = now
            self.since = since
            self.catalog = catalog
            graph = InProcessGraph(world: world, now: now)
            settings = MailCollector.Settings(
                mailDomains: world.directory.domains.map(\.name), reportMailbox: world.directory.reportMailbox,
                backfillFrom: since, once: true)
        }

        /// One source's cycle (or one mailbox's), independent of the others: they run side by
        /// side in the collector too, each with its own dedupe memory.
        enum Job: Sendable {
            case window(MailWindowSource)
            case users
            case domains
            case mailbox(String)
            case reports(String)
        }

        /// Every source, in the order `MailSources.all()` starts them; each mailbox is a job of its
        /// own, as `MailboxesCollector` reads a few at a time. The in-scope mailboxes are found
        /// here, by listing the users as `MailboxesCollector` does.
        func jobs() throws(SimulatedWorldRecordsError) -> [Job] {
            guard settings.problems().isEmpty else {
                throw SimulatedWorldRecordsError(
                    "mail settings refused: \(settings.problems().joined(separator: "; "))")
            }
            var jobs = settings.windowSources.map(Job.window) + [.users, .domains]
            if !settings.scope.isEmpty {
                let users = try graph.list(graph.url("users", query: [("$select", "id,userPrincipalName")])).map {
                    GraphItem(raw: $0)
                }
                jobs += settings.scope.mailboxes(in: users).map(Job.mailbox)
            }
            if let reportMailbox = settings.reportMailbox { jobs.append(.reports(reportMailbox.keyNormalized)) }
            return jobs
        }

        /// Runs one job.
        func run(_ job: Job) throws(SimulatedWorldRecordsError) -> FeedOutput {
            switch job {
            case .window(let kind): try window(kind)
            case .users: FeedOutput(records: try users())
            case .domains: FeedOutput(records: try domains())
            case .mailbox(let mailbox): FeedOutput(records: try self.mailbox(mailbox))
            case .reports(let mailbox): try reports(mailbox)
            }
        }

        // MARK: Sources

        /// `MailWindowCollector.runCycle`: one listing from the planned `since`, page by page,
        /// each page's changes oldest first.
        private func window(_ kind: MailWindowSource) throws(SimulatedWorldRecordsError) -> FeedOutput {
            var state = MailWindowState(tenantId: tenantId, kind: kind, policy: settings.policy, checkpoint: nil)
            if let since = settings.backfillFrom { state.backfill(from: since) }
            let plan = state.plan(now: now)
            let filter = "\(kind.timeProperty) ge \(M365Time.odataTime(plan.since))"
            let pages: [[JSONValue]]
            if kind == .signIns {
                pages = try graph.signInPages(filter: filter)
            } else {
                let url = graph.url(kind.path, query: [("$filter", filter)], version: kind.version)
                guard let found = try graph.pages(url) else {
                    throw SimulatedWorldRecordsError("\(kind.path) answered 404")
                }
                pages = found.map(\.items)
            }
            var dedupe = Set<String>()
            var output = FeedOutput()
            for page in pages {
                var changes: [MailChange] = []
                for raw in page {
                    let item = GraphItem(raw: raw, timeKey: kind.timeProperty)
                    guard
                        let change = MailWindowItem.change(item, kind: kind, tenantId: tenantId, collectedAt: now)
                    else {
                        output.rejected.append(
                            RejectedRecord(stage: Self.stage, reference: kind.path, errorClass: "missingId"))
                        continue
                    }
                    changes.append(change)
                }
                changes.sort { $0.eventTime < $1.eventTime }
                output.records += try publish(changes, source: kind.checkpointSource, dedupe: &dedupe)
            }
            return output
        }

        /// `UserProfileCollector.runCycle`: the whole directory, shard by shard, all `created`.
        private func users() throws(SimulatedWorldRecordsError) -> [PublishedRecord] {
            let url = graph.url(
                "users",
                query: [
                    ("$select", UserProfileCollector.properties.joined(separator: ",")),
                    ("$expand", "manager($select=id,userPrincipalName,displayName)"),
                ])
            let users = try graph.list(url).map { GraphItem(raw: $0) }
            var listings = [[SnapshotState.Item]](repeating: [], count: UserProfileCollector.shardCount)
            var upns: [String: String] = [:]
            for user in users {
                guard let id = user.id, !id.isEmpty else { continue }
                listings[UserProfileCollector.shard(of: id)].append(SnapshotState.Item(id: id, resource: user.raw))
            }
            for user in users {
                if let id = user.id, let upn = user[string: "userPrincipalName"] { upns[id] = upn }
            }
            var dedupe = Set<String>()
            var records: [PublishedRecord] = []
            for listing in listings {
                let changes = SnapshotState().changes(in: listing).map { change in
                    MailChange(
                        envelope: RawMailEnvelope(
                            tenantId: tenantId, resourceKind: .user, changeKind: change.kind, resourceId: change.id,
                            collectedAt: now, resource: change.resource),
                        key: RecordKey(tenantID: tenantId, user: upns[change.id] ?? change.id), eventTime: now)
                }
                records += try publish(changes, source: UserProfileCollector.source, dedupe: &dedupe)
            }
            return records
        }

        /// `AcceptedDomainsCollector.runCycle`: the whole list as one `domainList`, broadcast.
        private func domains() throws(SimulatedWorldRecordsError) -> [PublishedRecord] {
            let domains = try graph.list(graph.url("domains")).map { GraphItem(raw: $0) }
            let list = JSONValue.object(["value": .array(domains.sorted { ($0.id ?? "") < ($1.id ?? "") }.map(\.raw))])
            let changes = SnapshotState().changes(
                in: [SnapshotState.Item(id: AcceptedDomainsCollector.resourceId, resource: list)]
            ).map { change in
                MailChange(
                    envelope: RawMailEnvelope(
                        tenantId: tenantId, resourceKind: .domainList, changeKind: change.kind, resourceId: change.id,
                        collectedAt: now, resource: change.resource),
                    key: RecordKey(tenantID: tenantId, subject: .unattributed), eventTime: now)
            }
            var dedupe = Set<String>()
            return try publish(changes, source: AcceptedDomainsCollector.source, dedupe: &dedupe)
        }

        /// `MailboxCollector.collect` of one in-scope mailbox: its inbox by a first delta sync,
        /// then its inbox rules and settings. A mailbox that answers 404 has none (no Exchange
        /// Online mailbox): the collector stops reading it there.
        private func mailbox(_ mailbox: String) throws(SimulatedWorldRecordsError) -> [PublishedRecord] {
            // One memory per mailbox, shared by its three parts.
            var dedupe = Set<String>()
            guard var records = try messages(mailbox, dedupe: &dedupe) else { return [] }
            let segment = URLPath.segment(mailbox)
            guard let rules = try graph.listIfFound(graph.url("users/\(segment)/mailFolders/inbox/messageRules")) else {
                return records
            }
            let ruleItems = rules.map { GraphItem(raw: $0) }.compactMap { rule in
                rule.id.map { SnapshotState.Item(id: $0, resource: rule.raw) }
            }
            records += try snapshot(
                ruleItems, kind: .messageRule, mailbox: mailbox, source: MailboxState.Source.rules(mailbox),
                dedupe: &dedupe)
            guard let mailboxSettings = try graph.get(graph.url("users/\(segment)/mailboxSettings")) else {
                return records
            }
            // `@odata.context` names the host and the path asked for, not the settings.
            var resource = mailboxSettings
            if case .object(let members) = mailboxSettings {
                resource = .object(members.filter { !$0.key.hasPrefix("@odata.context") })
            }
            records += try snapshot(
                [SnapshotState.Item(id: mailbox, resource: resource)], kind: .mailboxSettings, mailbox: mailbox,
                source: MailboxState.Source.settings(mailbox), dedupe: &dedupe)
            return records
        }

        /// The inbox's first delta round; nil when the mailbox does not exist.
        private func messages(_ mailbox: String, dedupe: inout Set<String>) throws(SimulatedWorldRecordsError)
            -> [PublishedRecord]?
        {
            var round = MessageDeltaState(
                tenantId: tenantId, source: MailboxState.Source.messages(mailbox), policy: settings.policy,
                checkpoint: nil)
            guard let items = try deltaRound(mailbox, state: &round) else { return nil }
            let changes = items.compactMap { messageChange($0, mailbox: mailbox, round: round) }
            return try publish(changes, source: round.source, dedupe: &dedupe)
        }

        /// `MailboxCollector.messageChange`: a delta item as a `message` change.
        private func messageChange(_ item: JSONValue, mailbox: String, round: MessageDeltaState) -> MailChange? {
            guard let id = item["id"]?.stringValue, !id.isEmpty else { return nil }
            let envelope: RawMailEnvelope
            var time = now
            if let removed = item["@removed"] {
                envelope = RawMailEnvelope(
                    tenantId: tenantId, resourceKind: .message, changeKind: .removed, resourceId: id, mailbox: mailbox,
                    collectedAt: now,
                    resource: MailChange.removedResource(id: id, reason: removed["reason"]?.stringValue ?? "deleted"))
            } else {
                let received = item["receivedDateTime"]?.stringValue.flatMap(M365Time.parseISO)
                let kind = round.changeKind(receivedAt: received)
                let modified = item["lastModifiedDateTime"]?.stringValue.flatMap(M365Time.parseISO)
                time = (kind == .created ? received : modified ?? received) ?? now
                envelope = RawMailEnvelope(
                    tenantId: tenantId, resourceKind: .message, changeKind: kind, resourceId: id, mailbox: mailbox,
                    collectedAt: now, resource: MessageResource.published(item))
            }
            return MailChange(envelope: envelope, key: RecordKey(tenantID: tenantId, user: mailbox), eventTime: time)
        }

        /// `MailboxCollector.publishSnapshot` of a first cycle: every item is new.
        private func snapshot(
            _ items: [SnapshotState.Item], kind: RawMailEnvelope.ResourceKind, mailbox: String, source: String,
            dedupe: inout Set<String>
        ) throws(SimulatedWorldRecordsError) -> [PublishedRecord] {
            let changes = SnapshotState().changes(in: items).map { change in
                MailChange(
                    envelope: RawMailEnvelope(
                        tenantId: tenantId, resourceKind: kind, changeKind: change.kind, resourceId: change.id,
                        mailbox: mailbox, collectedAt: now, resource: change.resource),
                    key: RecordKey(tenantID: tenantId, user: mailbox), eventTime: now)
            }
            return try publish(changes, source: source, dedupe: &dedupe)
        }

        /// `ReportMailboxCollector.runCycle`: each report message of the report mailbox, its
        /// attachments read, as a `userReport` keyed by the reporter; a report without a usable
        /// original is dead-lettered (once per message).
        private func reports(_ mailbox: String) throws(SimulatedWorldRecordsError) -> FeedOutput {
            var round = MessageDeltaState(
                tenantId: tenantId, source: ReportMailboxCollector.source(mailbox), policy: settings.policy,
                checkpoint: nil)
            guard let items = try deltaRound(mailbox, state: &round) else {
                throw SimulatedWorldRecordsError("the report mailbox \(mailbox) answered 404")
            }
            var dedupe = Set<String>()
            var output = FeedOutput()
            var changes: [MailChange] = []
            for message in items where message["@removed"] == nil {
                guard let id = message["id"]?.stringValue, !id.isEmpty else { continue }
                var attachments: [JSONValue] = []
                if message["hasAttachments"] != .bool(false) {
                    let url = graph.url(
                        "users/\(URLPath.segment(mailbox))/messages/\(URLPath.segment(id))/attachments",
                        query: [("$expand", "microsoft.graph.itemattachment/item")])
                    // Gone between the delta page and this read: nothing left to report.
                    guard let found = try graph.listIfFound(url) else { continue }
                    attachments = found
                }
                do throws(UserReportParser.Problem) {
                    let parsed = try UserReportParser.parse(message: message, attachments: attachments)
                    changes.append(
                        MailChange(
                            envelope: RawMailEnvelope(
                                tenantId: tenantId, resourceKind: .userReport, changeKind: .created, resourceId: id,
                                mailbox: mailbox, collectedAt: now, resource: parsed.resource),
                            key: RecordKey(tenantID: tenantId, user: parsed.reporter), eventTime: parsed.reportedAt))
                } catch {
                    guard dedupe.insert("dead-letter:" + EventID.raw(id)).inserted else { continue }
                    output.rejected.append(
                        RejectedRecord(stage: Self.stage, reference: id, errorClass: error.errorClass))
                }
            }
            // The collector publishes page by page; the pages of a delta round only group what is
            // published together, so the whole round is published as one.
            output.records = try publish(changes, source: round.source, dedupe: &dedupe)
            return output
        }

        /// `MessageDeltaWalker.walk` of a first round: a sync of the inbox from `--since`, what
        /// its pages hold; nil when the mailbox does not exist. `state` is left as the walker hands
        /// it to each page (the round in progress, a sync): the round is not completed, as no
        /// later round follows and completing it would turn what the pages hold from `created`
        /// into `updated`.
        private func deltaRound(_ mailbox: String, state: inout MessageDeltaState) throws(SimulatedWorldRecordsError)
            -> [JSONValue]?
        {
            switch state.start(now: now, backfillFrom: settings.backfillFrom) {
            case .link:
                throw SimulatedWorldRecordsError("a first round of \(mailbox) resumes from a delta link")
            case .sync(let since):
                return try graph.inboxSync(
                    mailbox, filter: "receivedDateTime ge \(M365Time.odataTime(since))",
                    select: MessageResource.properties)
            }
        }

        // MARK: Publishing

        /// `MailOutput.publish`: each `ce_id` once per source memory; the domain list, which every
        /// correlator instance needs, once per keyed partition. Records are what
        /// `RecordPublisher.mailRecord` writes (it needs a live producer, so it is mirrored here,
        /// with the resource written by ``RecordEncoding``; the collector tests prove the two alike).
        private func publish(_ changes: [MailChange], source: String, dedupe: inout Set<String>)
            throws(SimulatedWorldRecordsError) -> [PublishedRecord]
        {
            let uri = MailOutput.sourceURI(tenantId: tenantId, source: source)
            var records: [PublishedRecord] = []
            for change in changes {
                var resource: [UInt8] = []
                resource.reserveCapacity(4096)
                RecordEncoding.canonical(change.envelope.resource, into: &resource)
                let id = RecordEncoding.changeId(change.envelope, canonicalResource: resource)
                guard dedupe.insert(id).inserted else { continue }
                var envelope = change.envelope
                envelope.resource = .null
                let record = PublishedRecord(
                    topic: catalog.rawMail, key: change.key.description,
                    value: try RecordEncoding.encode(envelope, member: "resource", json: resource), cloudEventId: id,
                    cloudEventSource: uri, cloudEventType: "com.inboxwatch.raw.mail.\(envelope.resourceKind.rawValue)",
                    cloudEventTime: change.eventTime)
                if change.envelope.resourceKind == .domainList {
                    for partition in 0..<catalog.keyedPartitions {
                        var copy = record
                        copy.partition = partition
                        records.append(copy)
                    }
                } else {
                    records.append(record)
                }
            }
            return records
        }
    }

    /// The simulator's Graph as the collector's `GraphClient` reads it, without HTTP: the same
    /// URLs, answered by ``GraphAPI`` with the collector app's permissions at a fixed moment,
    /// decoded as the client decodes them.
    struct InProcessGraph: Sendable {
        let api: GraphAPI
        let roles: Set<String>
        let now: Date

        /// One page of a collection.
        struct Page {
            var items: [JSONValue]
            var nextLink: String?
        }

        init(world: SimulatedWorld, now: Date) {
            api = GraphAPI(
                world: world, baseURL: AuditFeed.baseURL, options: GraphOptions(configuration: world.configuration))
            var random = SeededGenerator(seed: world.configuration.seed).derived("apps")
            roles = SimulatorApps(random: &random).collector.graphRoles
            self.now = now
        }

        /// `GraphClient.url`.
        func url(_ path: String, query: [(String, String)] = [], version: GraphVersion = .v1) -> String {
            "\(AuditFeed.baseURL)/\(version.rawValue)/\(path)" + URLPath.query(query)
        }

        /// The JSON at `url`; nil when Graph answers 404 (what the collector treats as "not there").
        func get(_ url: String) throws(SimulatedWorldRecordsError) -> JSONValue? {
            let target = try AuditFeed.relative(url)
            // Reads change nothing; the state only says what writes (none here) did.
            var state = TenantState()
            let response = api.handle(SimRequest(method: "GET", target: target), roles: roles, state: &state, now: now)
            if response.status == 404 { return nil }
            guard (200..<300).contains(response.status) else {
                throw SimulatedWorldRecordsError(
                    "GET \(target) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
            do {
                // `GraphClient` decodes with Foundation's `JSONDecoder`, whose `JSONValue.init(from:)`
                // throws and catches an error for every value that is not a string; under Swift
                // Testing each thrown error captures a backtrace, which made a big world take
                // minutes. Events' own parser builds the same values (integral numbers as
                // integers, as `JSONDecoder` reads them) without throwing, and needs no limits
                // check in front: the simulator writes valid UTF-8. The collector tests prove the
                // values alike.
                return try JSONParser.parse(Array(response.body), maxDepth: 1024)
            } catch {
                throw SimulatedWorldRecordsError("GET \(target) answered a body that is not JSON: \(error.message)")
            }
        }

        /// Every page from `url` on, following `@odata.nextLink`; nil when the first answers 404.
        func pages(_ url: String) throws(SimulatedWorldRecordsError) -> [Page]? {
            var pages: [Page] = []
            var next: String? = url
            var seen = Set<String>()
            while let current = next {
                guard seen.insert(current).inserted else {
                    throw SimulatedWorldRecordsError("@odata.nextLink repeats an earlier page: \(current)")
                }
                guard let value = try get(current) else {
                    if pages.isEmpty { return nil }
                    throw SimulatedWorldRecordsError("a next page answered 404: \(current)")
                }
                guard case .array(let items)? = value["value"] else {
                    throw SimulatedWorldRecordsError("a Graph collection without a 'value' array at \(current)")
                }
                let page = Page(items: items, nextLink: value["@odata.nextLink"]?.stringValue)
                pages.append(page)
                next = page.nextLink
            }
            return pages
        }

        /// The pages of `auditLogs/signIns?$filter=<filter>` as `listSignIns` answers them (newest
        /// first, `timePage`'s pages), each sign-in rendered by `renderSignIn` and read as a value
        /// without writing and parsing its text: sign-ins are a third of a world's Graph items.
        func signInPages(filter: String) throws(SimulatedWorldRecordsError) -> [[JSONValue]] {
            let split: SplitFilter
            do {
                split = try SplitFilter.parse(filter, timeProperties: ["createdDateTime"], refusal: .invalidClause) {
                    _ in nil
                }
            } catch {
                throw SimulatedWorldRecordsError("signIns refused $filter=\(filter)")
            }
            let newestFirst = Array(api.signInTimes.range(split.bounds, now: now).reversed())
            let state = TenantState()
            var pages: [[JSONValue]] = []
            for start in stride(from: 0, to: newestFirst.count, by: api.options.pageSize) {
                var page: [JSONValue] = []
                for index in newestFirst[start..<min(start + api.options.pageSize, newestFirst.count)] {
                    page.append(try RecordEncoding.value(api.renderSignIn(api.signIns[index], state)))
                }
                pages.append(page)
            }
            return pages
        }

        /// What a first delta round over the inbox of `mailbox`
        /// (`messages/delta?$filter=<filter>&$select=<select>`) lists, as `messagesDelta` does
        /// (`deltaChanges`, each message rendered by `renderMessage` and projected), each read as a
        /// value without writing and parsing its text: messages are most of a world's Graph items.
        /// Nil when the mailbox does not exist (`ErrorInvalidUser`).
        func inboxSync(_ mailbox: String, filter: String, select: [String]) throws(SimulatedWorldRecordsError)
            -> [JSONValue]?
        {
            guard let owner = api.user(named: mailbox) else { return nil }
            let split: SplitFilter
            do {
                split = try SplitFilter.parse(filter, timeProperties: ["receivedDateTime"], refusal: .outlook) { _ in
                    nil
                }
            } catch {
                throw SimulatedWorldRecordsError("messages/delta refused $filter=\(filter)")
            }
            let selected = Set(select.map { $0.lowercased() })
            var items: [JSONValue] = []
            let changes = api.deltaChanges(
                owner: owner, folder: "inbox", since: nil, until: SimTime.date(milliseconds: SimTime.milliseconds(now)),
                bounds: split.bounds, TenantState())
            for change in changes {
                switch change {
                case .upsert(let index, let placement):
                    let message = api.renderMessage(api.messages[index], placement)
                    items.append(try RecordEncoding.value(GraphCall.project(message, select: selected)))
                case .removed(let id):
                    items.append(
                        .object([
                            "@odata.type": .string("#microsoft.graph.message"), "id": .string(id),
                            "@removed": .object(["reason": .string("deleted")]),
                        ]))
                }
            }
            return items
        }

        /// Every item of the collection at `url`; nil when it answers 404.
        func listIfFound(_ url: String) throws(SimulatedWorldRecordsError) -> [JSONValue]? {
            try pages(url).map { $0.flatMap(\.items) }
        }

        /// Every item of a collection that must exist.
        func list(_ url: String) throws(SimulatedWorldRecordsError) -> [JSONValue] {
            guard let items = try listIfFound(url) else { throw SimulatedWorldRecordsError("\(url) answered 404") }
            return items
        }
    }
#endif
