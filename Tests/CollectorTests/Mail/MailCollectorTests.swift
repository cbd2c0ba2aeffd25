import Collector
import Events
import Foundation
import Kafka
import M365
import Synchronization
import TenantSimulator
import Testing

extension CollectorIntegration {
    @Suite("Mail collector against the simulator and the embedded broker", .serialized)
    struct MailCollectorTests {
        static let start = CollectorHarness.worldStart
        /// After everything the 6-hour worlds hold.
        static let now = start.addingTimeInterval(7 * 3600)
        /// Attacks that leave sign-ins, risk, rules, alerts, submissions and reports behind.
        static let scenarios = [
            "account-takeover", "login-then-phish", "mailbox-forwarding", "defender-alert", "phish-spray",
        ]

        static func configuration(users: Int) -> SimulatorConfiguration {
            CollectorHarness.configuration(scenarios: scenarios, users: users)
        }

        func collector(
            _ harness: CollectorHarness, tokens: TokenProvider, mailDomains: [String] = ["contoso.com"],
            backfill: Bool = true, health: @escaping CollectorHealthSink = { _ in }
        ) -> MailCollector {
            MailCollector(
                client: harness.graphClient(tokens: tokens), publisher: harness.publisher, kafka: harness.kafka,
                settings: .init(
                    mailDomains: mailDomains, reportMailbox: harness.tenant.world.directory.reportMailbox,
                    pollInterval: .milliseconds(200), backfillFrom: backfill ? Self.start : nil, once: true,
                    leaseSessionTimeoutMilliseconds: 6000),
                clock: harness.m365Clock, logger: harness.logger, health: health)
        }

        func readMail(_ harness: CollectorHarness) async throws -> PublishedMail {
            try PublishedMail(try await harness.readAll(harness.catalog.rawMail))
        }

        /// Each expected id once, of `kind`, under its key; nothing else of that kind.
        func expectOnce(
            _ published: PublishedMail, _ kind: RawMailEnvelope.ResourceKind, _ expected: [String: String],
            change: RawMailEnvelope.ChangeKind = .created, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let records = published.of(kind)
            var seen: [String: Int] = [:]
            for (envelope, key) in records {
                seen[envelope.resourceId, default: 0] += 1
                #expect(envelope.changeKind == change, "\(kind) \(envelope.resourceId)", sourceLocation: sourceLocation)
                #expect(
                    expected[envelope.resourceId] == key, "\(kind) \(envelope.resourceId)",
                    sourceLocation: sourceLocation)
            }
            let missing = Set(expected.keys).subtracting(seen.keys)
            #expect(
                missing.isEmpty, "\(missing.count) of \(expected.count) \(kind) missing", sourceLocation: sourceLocation
            )
            #expect(
                seen.values.allSatisfy { $0 == 1 }, "\(kind) published more than once", sourceLocation: sourceLocation)
            #expect(seen.count == expected.count, "\(kind): unexpected extras", sourceLocation: sourceLocation)
        }

        /// Everything the world holds by `now` is on the topic once, under the right key and kind.
        func expectEverythingOnce(_ published: PublishedMail, truth: MailTruth) throws {
            #expect(published.duplicatedIDs.isEmpty, "ce_ids published twice: \(published.duplicatedIDs.prefix(3))")
            #expect(truth.signIns.count > 20 && truth.inboxMessages.count > 20, "the world should mean something")
            #expect(
                !truth.alerts.isEmpty && !truth.submissions.isEmpty && !truth.rules.isEmpty && !truth.riskyUsers.isEmpty
            )
            expectOnce(published, .signIn, truth.signIns)
            expectOnce(published, .alert, truth.alerts)
            expectOnce(published, .threatSubmission, truth.submissions)
            expectOnce(published, .message, truth.inboxMessages)
            expectOnce(published, .messageRule, truth.rules)
            let risky = truth.riskyUsers
            expectOnce(published, .riskyUser, risky.mapValues(\.key), change: .updated)
            for (envelope, _) in published.of(.riskyUser) {
                #expect(envelope.resource["riskState"]?.stringValue == risky[envelope.resourceId]?.riskState)
            }
            let mailboxes = Set(truth.mailboxesInScope.map { $0.userPrincipalName.lowercased() })
            #expect(Set(published.of(.mailboxSettings).map { $0.envelope.mailbox ?? "" }) == mailboxes)
            #expect(published.of(.mailboxSettings).count == mailboxes.count)
            #expect(
                Set(published.of(.message).map { $0.envelope.mailbox ?? "" }).isSubset(of: mailboxes),
                "the report mailbox and mailboxes out of scope are not read as mailboxes")
            #expect(published.of(.user).count == truth.world.directory.users.count)
            // Broadcast: once on every partition, so each correlator instance knows what is internal.
            let domainLists = zip(published.envelopes, published.messages).filter { $0.0.resourceKind == .domainList }
            let partitions = Set(published.messages.map(\.partition))
            #expect(domainLists.count == partitions.count && partitions.count > 1)
            #expect(Set(domainLists.map(\.1.partition)) == partitions)

            let reports = published.of(.userReport)
            #expect(!truth.userReports.isEmpty, "the world should hold user reports")
            #expect(reports.count == truth.userReports.count)
            let byId = Dictionary(reports.map { ($0.envelope.resourceId, $0) }) { first, _ in first }
            for report in truth.userReports {
                let found = try #require(byId[report.reportMessageId], "report \(report.reportSubject) missing")
                let reported = found.envelope.resource["reportedMessage"]
                #expect(found.key == truth.key(report.reporterUserPrincipalName))
                #expect(
                    found.envelope.resource["reporter"]?.stringValue?.lowercased()
                        == report.reporterUserPrincipalName.lowercased())
                #expect(reported?["sender"]?.stringValue?.lowercased() == report.originalSender.lowercased())
                #expect(reported?["subject"]?.stringValue == report.originalSubject)
                #expect(reported?["internetMessageId"]?.stringValue == report.originalInternetMessageId)
                #expect(found.envelope.mailbox == report.reportMailbox.lowercased())
            }
            for message in published.messages.prefix(500) {
                #expect(message.keyString?.hasPrefix(truth.tenantId + "/") == true)
            }
        }

        @Test(
            "everything the world holds reaches raw.mail once with its key and kind; a second cycle publishes nothing"
        )
        func everythingOnceThenNothing() async throws {
            let harness = try await CollectorHarness.start(Self.configuration(users: 24), now: Self.now)
            let tokens = harness.tokens(harness.tenant.apps.collector)
            let reports = Mutex<[CollectorHealth]>([])
            try await collector(harness, tokens: tokens) { health in reports.withLock { $0.append(health) } }.run()
            let truth = MailTruth(world: harness.tenant.world, since: Self.start, now: Self.now)
            let first = try await readMail(harness)
            try expectEverythingOnce(first, truth: truth)
            #expect(reports.withLock { $0 }.allSatisfy { $0.status == .healthy })
            #expect(Set(reports.withLock { $0.map(\.source) }).contains("mail/mailboxes"))

            await harness.set(now: Self.now.addingTimeInterval(300))
            try await collector(harness, tokens: tokens, backfill: false).run()
            let second = try await readMail(harness)
            #expect(second.count == first.count, "a cycle with nothing new publishes nothing")
            await harness.stop()
        }

        @Test(
            "a rule removed via Graph, a disabled account and an invalid delta link each give just their events"
        )
        func changesBetweenCycles() async throws {
            let harness = try await CollectorHarness.start(Self.configuration(users: 16), now: Self.now)
            let tokens = harness.tokens(harness.tenant.apps.collector)
            try await collector(harness, tokens: tokens).run()
            let first = try await readMail(harness)
            let world = harness.tenant.world

            let later = Self.now.addingTimeInterval(600)
            await harness.set(now: later)
            let rule = try #require(world.timeline.rules.first, "the world should hold an inbox rule")
            let owner = try #require(world.directory.user(id: rule.mailboxUserId))
            let actions = harness.graphActions()
            #expect(await actions.removeInboxRule(mailbox: owner.userPrincipalName, ruleId: rule.id).isSuccess)
            let disabled = try #require(world.directory.users.first { !$0.isProtected && !$0.isSharedMailbox })
            #expect(await actions.disableAccount(user: disabled.userPrincipalName).isSuccess)
            // A mailbox whose delta link Graph no longer knows: the next round answers 410.
            let busiest = Dictionary(grouping: first.of(.message), by: { $0.envelope.mailbox ?? "" })
                .max { $0.value.count < $1.value.count }
            let mailbox = try #require(busiest?.key)
            let source = "mail/messages/\(mailbox)"
            let invalid = CollectorCheckpoint(
                tenantId: harness.tenantId, source: source, watermark: Self.start.addingTimeInterval(3600),
                deltaLink: harness.graphClient(tokens: tokens).url("users/\(mailbox)/mailFolders/inbox/messages/delta")
                    + "?$deltatoken=expired", updatedAt: later)
            try await harness.publisher.publish([try harness.publisher.checkpoint(invalid)])

            try await collector(harness, tokens: tokens, backfill: false).run()
            let second = try await readMail(harness)
            #expect(second.duplicatedIDs.isEmpty, "the resync publishes nothing twice")
            let before = Set(first.messages.compactMap(\.ceID))
            let added = zip(second.envelopes, second.messages).filter { !before.contains($0.1.ceID ?? "") }.map(\.0)
            #expect(added.count == 2, "only the removal and the profile change are new: \(added.map(\.resourceKind))")
            let removed = added.filter { $0.resourceKind == .messageRule }
            #expect(removed.map(\.changeKind) == [.removed])
            #expect(removed.first?.resourceId == rule.id)
            #expect(removed.first?.mailbox == owner.userPrincipalName.lowercased())
            let profile = added.filter { $0.resourceKind == .user }
            #expect(profile.map(\.changeKind) == [.updated])
            #expect(profile.first?.resource["accountEnabled"] == .bool(false))

            let checkpoints = try await harness.readAll(harness.catalog.collectorCheckpoints)
            let decoder = BoundedJSONDecoder()
            let last = try checkpoints.map { try decoder.decodeValue(CollectorCheckpoint.self, from: $0.value ?? []) }
                .last { $0.source == source }
            #expect(last?.deltaLink != nil && last?.deltaLink != invalid.deltaLink, "the resync kept a new link")
            await harness.stop()
        }

        @Test("with Graph throttling every item still reaches raw.mail once")
        func throttlingLosesNothing() async throws {
            var faults = FaultPlan()
            faults.graphThrottleFraction = 0.2
            faults.graphRetryAfterSeconds = 1
            let harness = try await CollectorHarness.start(
                Self.configuration(users: 12), faults: faults, now: Self.now)
            try await collector(harness, tokens: harness.tokens(harness.tenant.apps.collector)).run()
            let truth = MailTruth(world: harness.tenant.world, since: Self.start, now: Self.now)
            try expectEverythingOnce(try await readMail(harness), truth: truth)
            await harness.stop()
        }

        @Test(
            "a missing permission fails only its sources, unhealthy and named; a domain without users reads no mailbox"
        )
        func missingPermissionIsUnhealthyAndNamed() async throws {
            let harness = try await CollectorHarness.start(Self.configuration(users: 10), now: Self.now)
            // The action app can read users, risky users and mail, but not sign-ins, alerts,
            // submissions or domains.
            let reports = Mutex<[CollectorHealth]>([])
            let collector = collector(
                harness, tokens: harness.tokens(harness.tenant.apps.actions), mailDomains: ["contoso-labs.com"]
            ) { health in reports.withLock { $0.append(health) } }
            let error = await #expect(throws: CollectorError.self) { try await collector.run() }
            #expect(error?.code == .missingPermission)
            let latest = Dictionary(reports.withLock { $0 }.map { ($0.source, $0) }) { _, last in last }
            #expect(latest["mail/signIns"]?.status == .unhealthy)
            #expect(latest["mail/signIns"]?.reason.contains("AuditLog.Read.All") == true)
            #expect(latest["mail/signIns"]?.reason.contains("Insufficient privileges") == true)
            #expect(latest["mail/alerts"]?.reason.contains("SecurityAlert.Read.All") == true)
            #expect(latest["mail/domains"]?.status == .unhealthy)
            #expect(latest["mail/riskyUsers"]?.status == .healthy)
            #expect(latest["mail/users"]?.status == .healthy)
            #expect(latest["mail/mailboxes"]?.status == .healthy)
            let published = try await readMail(harness)
            #expect(published.of(.riskyUser).count > 0)
            #expect(published.of(.message).isEmpty && published.of(.messageRule).isEmpty)
            #expect(published.of(.mailboxSettings).isEmpty, "no user of contoso-labs.com, so no mailbox is read")
            await harness.stop()
        }

        @Test("credentials that stop working make every source unhealthy with Entra's words, never the secret")
        func badCredentialsReportUnhealthy() async throws {
            let harness = try await CollectorHarness.start(Self.configuration(users: 10), now: Self.now)
            let app = harness.tenant.apps.collector
            let tokens = TokenProvider(
                identity: AppIdentity(clientId: app.clientId, credential: .secret("wrong-secret")),
                endpoints: harness.endpoints, http: harness.http, clock: harness.m365Clock, logger: harness.logger)
            let reports = Mutex<[CollectorHealth]>([])
            let collector = collector(harness, tokens: tokens) { health in reports.withLock { $0.append(health) } }
            let error = await #expect(throws: CollectorError.self) { try await collector.run() }
            #expect(error?.code == .credentialsRejected)
            let seen = reports.withLock { $0 }
            #expect(Set(seen.map(\.source)).count >= 8)
            #expect(seen.allSatisfy { $0.status == .unhealthy })
            #expect(seen.allSatisfy { $0.reason.contains("AADSTS") })
            #expect(!seen.contains { $0.reason.contains("wrong-secret") })
            #expect(try await readMail(harness).count == 0)
            await harness.stop()
        }
    }
}
