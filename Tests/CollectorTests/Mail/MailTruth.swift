import Collector
import Events
import Foundation
import Kafka
import TenantSimulator

/// What the simulated world says the mail collector must publish once it has collected from
/// `since` to `now`, and what it did publish, read back from the raw mail topic.
struct MailTruth {
    let world: SimulatedWorld
    let since: Date
    let now: Date

    var tenantId: String { world.directory.tenantId.lowercased() }
    var reportMailbox: SimulatedUser? { world.directory.reportMailboxUser }

    func key(_ user: String) -> String { "\(tenantId)/\(user.lowercased())" }

    private func inWindow(_ date: Date) -> Bool { date >= since && date <= now }

    /// Sign-in id → key.
    var signIns: [String: String] {
        Dictionary(
            world.timeline.signIns.filter { inWindow($0.time) }.map { ($0.id, key($0.userPrincipalName)) }
        ) { first, _ in first }
    }

    /// Risky user id → key and the risk state Graph shows at `now`.
    var riskyUsers: [String: (key: String, riskState: String)] {
        var latest: [String: RiskyUserState] = [:]
        for risk in world.timeline.riskyUsers where risk.since <= now {
            if let known = latest[risk.userId], known.since > risk.since { continue }
            latest[risk.userId] = risk
        }
        return latest.mapValues { (key($0.userPrincipalName), $0.riskState) }
    }

    var alerts: [String: String] {
        Dictionary(
            world.timeline.alerts.filter { inWindow($0.createdAt) }.map { ($0.id, key($0.userPrincipalName)) }
        ) { first, _ in first }
    }

    var submissions: [String: String] {
        Dictionary(
            world.timeline.threatSubmissions.filter { inWindow($0.createdAt) }.map {
                ($0.id, key($0.recipientEmailAddress))
            }
        ) { first, _ in first }
    }

    /// Inbox messages of every mailbox in scope (all but the report mailbox): message id → key.
    var inboxMessages: [String: String] {
        let owners = Dictionary(world.directory.users.map { ($0.id, $0.userPrincipalName) }) { first, _ in first }
        var out: [String: String] = [:]
        for message in world.timeline.messages
        where message.folder == "inbox" && inWindow(message.receivedDateTime)
            && message.mailboxUserId != reportMailbox?.id
        {
            out[message.id] = owners[message.mailboxUserId].map(key)
        }
        return out
    }

    /// Rule id → key of its mailbox.
    var rules: [String: String] {
        let owners = Dictionary(world.directory.users.map { ($0.id, $0.userPrincipalName) }) { first, _ in first }
        var out: [String: String] = [:]
        for rule in world.timeline.rules where rule.createdAt <= now {
            out[rule.id] = owners[rule.mailboxUserId].map(key)
        }
        return out
    }

    var mailboxesInScope: [SimulatedUser] {
        world.directory.users.filter { $0.createdAt <= now && $0.id != reportMailbox?.id }
    }

    var userReports: [UserReport] { world.timeline.userReports.filter { inWindow($0.receivedDateTime) } }
}

/// The raw mail topic, decoded.
struct PublishedMail {
    let messages: [KafkaConsumerMessage]
    let envelopes: [RawMailEnvelope]

    init(_ messages: [KafkaConsumerMessage]) throws {
        self.messages = messages
        let decoder = BoundedJSONDecoder()
        envelopes = try messages.map { try decoder.decodeValue(RawMailEnvelope.self, from: $0.value ?? []) }
    }

    var count: Int { messages.count }

    /// The records of one kind, with their keys.
    func of(_ kind: RawMailEnvelope.ResourceKind) -> [(envelope: RawMailEnvelope, key: String)] {
        zip(envelopes, messages).filter { $0.0.resourceKind == kind }.map { ($0.0, $0.1.keyString ?? "") }
    }

    /// `ce_id`s seen more than once on one partition (the domain list is on every partition once).
    var duplicatedIDs: [String] {
        var counts: [String: Int] = [:]
        for message in messages { counts["\(message.partition)/\(message.ceID ?? "")", default: 0] += 1 }
        return counts.filter { $0.value > 1 }.map(\.key)
    }
}
