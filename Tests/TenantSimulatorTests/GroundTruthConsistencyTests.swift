import Events
import Foundation
import Testing

@testable import TenantSimulator

/// 2026-11-20T00:00:00Z.
private let consistencyStart = Date(timeIntervalSince1970: 1_795_132_800)

/// Words of fraud or of hiding security mail (issue 8), matched as substrings, lower-cased.
private let fraudKeywords = [
    "invoice", "payment", "wire", "transfer", "phish", "hacked", "suspicious", "security", "password", "mfa",
    "remittance", "bank",
]
private let hidingFolders = [
    "rss feeds", "rss subscriptions", "archive", "conversation history", "deleted items", "junk email",
]

/// An independent reader of what the simulated tenant renders. It sees the audit
/// records only as JSON text (parsed with `JSONSerialization`), the sign-ins as
/// ``SignInEvent`` values, and the Graph resources the tenant serves — never the
/// builder's variables — and re-derives what each detection needs from them. Scenario
/// tests use it to read records the same way.
struct RenderedTenant {
    struct Document {
        var json: [String: Any]
        var time: Date
    }

    /// What an inbox rule, mailbox setting or system cmdlet does, from its record.
    struct Forwarding {
        var operation: String
        var name: String?
        var recipients: [String]
        var deletes: Bool
        var folder: String?
        var marksRead: Bool
        var stopsProcessing: Bool
        /// `DeliverToMailboxAndForward`, when the record says.
        var keepsCopy: Bool?
        var conditions: String
        /// A transport rule's `RedirectMessageTo`: the recipients never get the message.
        var redirectsAway = false
    }

    let acceptedDomains: [String]
    let users: [String: SimulatedUser]
    var documents: [String: Document] = [:]
    var signInRecords: [String: SignInEvent] = [:]
    var signInsByUser: [String: [SignInEvent]] = [:]
    var graphSignIns: [String: SignInEvent] = [:]
    var rules: [String: InboxRule] = [:]
    var alerts: [String: SecurityAlert] = [:]
    var submissions: [String: ThreatSubmission] = [:]
    /// Times of phishing that reached each user (delivered phish, user reports, Defender alerts).
    var phishTimes: [String: [Date]] = [:]

    init(_ world: SimulatedWorld) {
        acceptedDomains = world.directory.domains.map { $0.name.lowercased() }
        users = Dictionary(uniqueKeysWithValues: world.directory.users.map { ($0.userPrincipalName.lowercased(), $0) })
        for record in world.timeline.auditRecords {
            guard let id = record.id else { continue }
            switch record.body {
            case .document(let document):
                guard let json = try? JSONSerialization.jsonObject(with: document.serialized()) as? [String: Any],
                    let text = json["CreationTime"] as? String, let time = Self.parseTime(text)
                else {
                    Issue.record("record \(id) is not an audit record with a CreationTime")
                    continue
                }
                documents[id] = Document(json: json, time: time)
            case .signIn(let event, _):
                signInRecords[id] = event
                signInsByUser[event.userPrincipalName.lowercased(), default: []].append(event)
            case .malformed:
                continue
            }
        }
        for key in signInsByUser.keys { signInsByUser[key]?.sort { $0.time < $1.time } }
        for event in world.timeline.signIns { graphSignIns[event.id] = event }
        for rule in world.timeline.rules { rules[rule.id] = rule }
        for alert in world.timeline.alerts { alerts[alert.id] = alert }
        for submission in world.timeline.threatSubmissions { submissions[submission.id] = submission }
        for (_, document) in documents {
            for user in phishTargets(document.json) { phishTimes[user, default: []].append(document.time) }
        }
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text + "Z")
    }

    // MARK: Fields

    static func int(_ value: Any?) -> Int? {
        if let number = value as? Int { return number }
        if let text = value as? String { return Int(text) }
        return nil
    }

    /// `Parameters` as pairs, from the `{Name, Value}` array or the PowerShell-style string.
    static func parameters(_ json: [String: Any]) -> [(String, String)] {
        if let array = json["Parameters"] as? [[String: Any]] {
            return array.compactMap { item in
                guard let name = item["Name"] as? String, let value = item["Value"] as? String else { return nil }
                return (name, value)
            }
        }
        guard let text = json["Parameters"] as? String else { return [] }
        return powerShellPairs(text)
    }

    /// `-Name "value" -Other "a ""quoted"" value"`.
    static func powerShellPairs(_ text: String) -> [(String, String)] {
        let chars = Array(text)
        var pairs: [(String, String)] = []
        var index = 0
        while index < chars.count {
            guard chars[index] == "-" else {
                index += 1
                continue
            }
            var name = ""
            index += 1
            while index < chars.count, chars[index] != " " {
                name.append(chars[index])
                index += 1
            }
            index += 1
            guard index < chars.count, chars[index] == "\"" else { continue }
            index += 1
            var value = ""
            while index < chars.count {
                if chars[index] == "\"" {
                    if index + 1 < chars.count, chars[index + 1] == "\"" {
                        value.append("\"")
                        index += 2
                        continue
                    }
                    break
                }
                value.append(chars[index])
                index += 1
            }
            index += 1
            pairs.append((name, value))
        }
        return pairs
    }

    static func nameValues(_ value: Any?) -> [String: String] {
        var result: [String: String] = [:]
        for item in value as? [[String: Any]] ?? [] {
            if let name = item["Name"] as? String, let value = item["Value"] as? String { result[name] = value }
        }
        return result
    }

    /// `a@b.com;smtp:c@d.com` → addresses.
    static func addresses(_ text: String) -> [String] {
        text.split(separator: ";").map { part in
            var address = part.trimmingCharacters(in: .whitespaces)
            if address.lowercased().hasPrefix("smtp:") { address = String(address.dropFirst(5)) }
            return address
        }.filter { !$0.isEmpty }
    }

    func isInternal(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        let domain = address[address.index(after: at)...].lowercased()
        return acceptedDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }

    static func dataField(_ json: [String: Any], _ key: String) -> String? {
        guard let text = json["Data"] as? String,
            let data = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        else { return nil }
        return data[key] as? String
    }

    // MARK: What records show

    func forwarding(_ json: [String: Any]) -> Forwarding? {
        guard let operation = json["Operation"] as? String else { return nil }
        switch operation {
        case "New-InboxRule", "Set-InboxRule", "Set-Mailbox", "New-TransportRule", "Set-TransportRule":
            var view = Forwarding(
                operation: operation, name: nil, recipients: [], deletes: false, folder: nil, marksRead: false,
                stopsProcessing: false, keepsCopy: nil, conditions: "")
            for (name, value) in Self.parameters(json) {
                switch name {
                case "ForwardTo", "ForwardAsAttachmentTo", "RedirectTo", "ForwardingSmtpAddress", "ForwardingAddress",
                    "BlindCopyTo", "CopyTo":
                    view.recipients += Self.addresses(value)
                case "RedirectMessageTo":
                    view.recipients += Self.addresses(value)
                    view.redirectsAway = true
                case "DeleteMessage", "PermanentDelete": view.deletes = view.deletes || value.lowercased() == "true"
                case "MoveToFolder": view.folder = value
                case "MarkAsRead": view.marksRead = value.lowercased() == "true"
                case "StopProcessingRules": view.stopsProcessing = value.lowercased() == "true"
                case "DeliverToMailboxAndForward": view.keepsCopy = value.lowercased() == "true"
                case "Name": view.name = value
                case "SubjectContainsWords", "SubjectOrBodyContainsWords", "BodyContainsWords", "From":
                    view.conditions += " " + value
                default: break
                }
            }
            return view
        case "UpdateInboxRules":
            let properties = Self.nameValues(json["OperationProperties"])
            var view = Forwarding(
                operation: operation, name: properties["RuleName"], recipients: [], deletes: false, folder: nil,
                marksRead: false, stopsProcessing: false, keepsCopy: nil, conditions: properties["RuleCondition"] ?? "")
            let actions =
                (try? JSONSerialization.jsonObject(with: Data((properties["RuleActions"] ?? "[]").utf8)))
                as? [[String: Any]] ?? []
            for action in actions {
                switch action["ActionType"] as? String {
                case "Forward", "ForwardAsAttachment", "Redirect":
                    view.recipients += (action["Recipients"] as? [String] ?? []).flatMap(Self.addresses)
                case "Delete", "PermanentDelete": view.deletes = true
                case "MoveToFolder": view.folder = action["Folder"] as? String
                case "MarkAsRead": view.marksRead = true
                case "StopProcessingRules": view.stopsProcessing = true
                default: break
                }
            }
            return view
        default:
            return nil
        }
    }

    func forwardsOutside(_ view: Forwarding) -> Bool { view.recipients.contains { !isInternal($0) } }

    /// The mailbox a forwarding record changes (lower-cased UPN): the `Identity` or `Mailbox`
    /// it names, the owner of an Outlook rule, else whoever ran the cmdlet (a transport rule).
    func forwardingMailbox(_ json: [String: Any]) -> String? {
        if let named = Self.parameters(json).first(where: { $0.0 == "Identity" || $0.0 == "Mailbox" })?.1 {
            return users[named.lowercased()].map { $0.userPrincipalName.lowercased() } ?? named.lowercased()
        }
        if let owner = json["MailboxOwnerUPN"] as? String { return owner.lowercased() }
        guard let actor = (json["UserId"] as? String)?.lowercased() else { return nil }
        if users[actor] != nil { return actor }
        return users.values.first { $0.id.lowercased() == actor }?.userPrincipalName.lowercased()
    }

    /// External addresses that at least three distinct mailboxes forward to within 7 days of
    /// each other, with those mailboxes: what a fan-in story rests on.
    func fanIns() -> [String: Set<String>] {
        var byAddress: [String: [(mailbox: String, time: Date)]] = [:]
        for (_, document) in documents {
            guard let view = forwarding(document.json), !isSystem(document),
                let mailbox = forwardingMailbox(document.json)
            else { continue }
            for address in Set(view.recipients.map { $0.lowercased() }) where !isInternal(address) {
                byAddress[address, default: []].append((mailbox, document.time))
            }
        }
        var result: [String: Set<String>] = [:]
        for (address, changes) in byAddress {
            for change in changes {
                let near = Set(
                    changes.filter { abs($0.time.timeIntervalSince(change.time)) <= 7 * 86_400 }.map(\.mailbox))
                if near.count >= 3 { result[address, default: []].formUnion(near) }
            }
        }
        return result
    }

    /// A mailbox delegation the record shows `user` making: FullAccess, SendAs or SendOnBehalf.
    func isDelegation(_ json: [String: Any], by user: SimulatedUser) -> Bool {
        let actor = (json["UserId"] as? String)?.lowercased()
        guard actor == user.userPrincipalName.lowercased() || actor == user.id.lowercased() else { return false }
        let parameters = Self.parameters(json)
        switch json["Operation"] as? String {
        case "Add-MailboxPermission":
            return parameters.contains { $0.0 == "AccessRights" && $0.1.lowercased().contains("fullaccess") }
        case "Add-RecipientPermission":
            return true
        case "Set-Mailbox":
            return parameters.contains { $0.0 == "GrantSendOnBehalfTo" && !$0.1.isEmpty }
        default:
            return false
        }
    }

    /// A security info (MFA) change: a directory audit record about authentication methods.
    static func isSecurityInfoChange(_ json: [String: Any]) -> Bool {
        guard (json["Workload"] as? String) == "AzureActiveDirectory",
            let operation = (json["Operation"] as? String)?.lowercased()
        else { return false }
        if operation.contains("security info") { return true }
        guard operation == "update user." else { return false }
        let names = (json["ModifiedProperties"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
        return names.contains { $0.lowercased().hasPrefix("strongauthentication") }
    }

    static func movesToHidingFolder(_ view: Forwarding) -> Bool {
        guard let folder = view.folder?.lowercased() else { return false }
        let last = folder.split(separator: "\\").last.map(String.init) ?? folder
        return hidingFolders.contains(last)
    }

    static func hasFraudKeyword(_ text: String) -> Bool {
        let lower = text.lowercased()
        return fraudKeywords.contains { lower.contains($0) }
    }

    static func isOnlyPunctuation(_ name: String?) -> Bool {
        guard let name, !name.isEmpty else { return false }
        return name.allSatisfy { $0.isPunctuation || $0.isWhitespace || $0.isSymbol }
    }

    func isHiding(_ view: Forwarding) -> Bool {
        let hides = view.deletes || Self.movesToHidingFolder(view) || view.marksRead
        return hides && (Self.hasFraudKeyword(view.conditions) || Self.isOnlyPunctuation(view.name))
    }

    /// Users a record shows phishing reaching: delivered phish, a user report, a Defender alert.
    func phishTargets(_ json: [String: Any]) -> [String] {
        switch json["Operation"] as? String {
        case "TIMailData":
            guard (json["Verdict"] as? String) == "Phish", (json["DeliveryAction"] as? String) == "Delivered" else {
                return []
            }
            return ((json["Recipients"] as? [String] ?? []) + [json["P1Sender"] as? String ?? ""])
                .map { $0.lowercased() }.filter { users[$0] != nil }
        case "AlertTriggered":
            return [Self.dataField(json, "f3u")?.lowercased()].compactMap(\.self)
        default:
            return []
        }
    }

    /// Whether the record's actor, owner, recipient or subject is `user`.
    func belongs(_ json: [String: Any], to user: SimulatedUser) -> Bool {
        let upn = user.userPrincipalName.lowercased()
        let names = [upn, user.id.lowercased()]
        if let id = (json["UserId"] as? String)?.lowercased(), names.contains(id) { return true }
        if (json["MailboxOwnerUPN"] as? String)?.lowercased() == upn { return true }
        if (json["P1Sender"] as? String)?.lowercased() == upn { return true }
        if (json["Recipients"] as? [String] ?? []).contains(where: { $0.lowercased() == upn }) { return true }
        if Self.dataField(json, "f3u")?.lowercased() == upn { return true }
        if (json["ObjectId"] as? String)?.lowercased().hasPrefix(upn) == true { return true }
        return Self.parameters(json).contains { ($0.0 == "Identity" || $0.0 == "Mailbox") && $0.1.lowercased() == upn }
    }

    /// A success that is risky, from a country the user never signed in from before,
    /// after three failures within the hour, or faster than an airliner from the last one.
    func isSuspicious(_ event: SignInEvent) -> Bool {
        guard event.errorCode == 0 else { return false }
        if event.riskLevel == .medium || event.riskLevel == .high { return true }
        let earlier = (signInsByUser[event.userPrincipalName.lowercased()] ?? []).filter { $0.time < event.time }
        if isImpossibleTravel(event) { return true }
        if !earlier.isEmpty, !earlier.contains(where: { $0.place.countryOrRegion == event.place.countryOrRegion }) {
            return true
        }
        return earlier.filter { $0.errorCode != 0 && event.time.timeIntervalSince($0.time) <= 3600 }.count >= 3
    }

    /// A success further from the user's previous successful sign-in than an airliner flies in the time between.
    func isImpossibleTravel(_ event: SignInEvent) -> Bool {
        guard event.errorCode == 0,
            let previous = (signInsByUser[event.userPrincipalName.lowercased()] ?? []).last(where: {
                $0.time < event.time && $0.errorCode == 0
            })
        else { return false }
        let hours = max(event.time.timeIntervalSince(previous.time) / 3600, 1.0 / 60)
        return Self.distance(previous.place, event.place) / hours > 900
    }

    // MARK: Evidence

    enum Evidence {
        case document(Document)
        case signIn(SignInEvent)
        case graph
    }

    /// Resolves an evidence id and checks it belongs to `user`; records an issue otherwise.
    func evidence(_ id: String, of user: SimulatedUser, context: String) -> Evidence? {
        if let document = documents[id] {
            #expect(belongs(document.json, to: user), "\(context): record \(id) is not about \(user.userPrincipalName)")
            return .document(document)
        }
        if let event = signInRecords[id] ?? graphSignIns[id] {
            #expect(event.userId == user.id, "\(context): sign-in \(id) is not \(user.userPrincipalName)'s")
            return .signIn(event)
        }
        if let rule = rules[id] {
            #expect(
                rule.mailboxUserId == user.id, "\(context): rule \(id) is not in \(user.userPrincipalName)'s mailbox")
            return .graph
        }
        if let alert = alerts[id] {
            #expect(alert.userId == user.id, "\(context): alert \(id) is not about \(user.userPrincipalName)")
            return .graph
        }
        if let submission = submissions[id] {
            #expect(
                submission.reporterUserId == user.id, "\(context): submission \(id) is not by \(user.userPrincipalName)"
            )
            return .graph
        }
        Issue.record("\(context): evidence \(id) is nowhere in the timeline")
        return nil
    }

    func resolve(_ ids: [String], of user: SimulatedUser, context: String) -> (
        documents: [Document], signIns: [SignInEvent]
    ) {
        var documents: [Document] = []
        var signIns: [SignInEvent] = []
        for id in ids {
            switch evidence(id, of: user, context: context) {
            case .document(let document): documents.append(document)
            case .signIn(let event): if !signIns.contains(where: { $0.id == event.id }) { signIns.append(event) }
            case .graph, nil: break
            }
        }
        return (documents, signIns.sorted { $0.time < $1.time })
    }

    /// Whether a suspicious sign-in among `signIns` comes strictly before one of `times`, within 24 hours.
    func suspiciousSignIn(_ signIns: [SignInEvent], before times: [Date]) -> Bool {
        signIns.filter(isSuspicious).contains { signIn in
            times.contains { $0 > signIn.time && $0.timeIntervalSince(signIn.time) <= 24 * 3600 }
        }
    }

    // MARK: Checks

    func checkStory(_ story: GroundTruth.ExpectedStory) {
        let context = "\(story.attack) → \(story.user) \(story.detection.rawValue)"
        guard let user = users[story.user] else {
            Issue.record("\(context): no such user")
            return
        }
        if story.detection == .forwardingFanIn {
            checkFanIn(story, context: context)
            return
        }
        let (documents, signIns) = resolve(story.evidence, of: user, context: context)
        let views = documents.compactMap { forwarding($0.json) }
        switch story.detection {
        case .externalForwarding:
            let outside = views.filter(forwardsOutside)
            #expect(!outside.isEmpty, "\(context): nothing forwards outside the tenant")
            let dropsMail = outside.contains {
                $0.keepsCopy == false || $0.deletes || $0.stopsProcessing || $0.redirectsAway
            }
            #expect(story.criticality == (dropsMail ? .high : .medium), "\(context): criticality")
        case .hidingRule:
            #expect(views.contains(where: isHiding), "\(context): no hiding rule")
            #expect(story.criticality == .medium, "\(context): criticality")
        case .loginThenPhish:
            let phish = documents.filter { phishTargets($0.json).contains(story.user) }.map(\.time)
            #expect(!phish.isEmpty, "\(context): no phishing evidence")
            #expect(suspiciousSignIn(signIns, before: phish), "\(context): no suspicious sign-in before the phish")
            #expect(story.criticality == .high, "\(context): criticality")
        case .accountTakeover:
            let persistence = documents.filter { document in
                let rule = forwarding(document.json).map { forwardsOutside($0) || isHiding($0) } ?? false
                return rule || isDelegation(document.json, by: user) || Self.isSecurityInfoChange(document.json)
            }.map(\.time)
            #expect(!persistence.isEmpty, "\(context): no forwarding or hiding rule, delegation or MFA change")
            #expect(suspiciousSignIn(signIns, before: persistence), "\(context): no suspicious sign-in before the rule")
            #expect(story.criticality == .critical, "\(context): criticality")
        case .defenderAlert:
            let severities = documents.filter { ($0.json["Operation"] as? String) == "AlertTriggered" }
                .compactMap { ($0.json["Severity"] as? String)?.lowercased() }
            #expect(!severities.isEmpty, "\(context): no alert")
            let expected: [String: StoryView.Criticality] = [
                "informational": .low, "low": .low, "medium": .medium, "high": .high,
            ]
            #expect(severities.compactMap { expected[$0] }.contains(story.criticality), "\(context): severity")
        case .forwardingFanIn:
            break  // checkFanIn
        }
    }

    /// A fan-in story rests on the forwarding of its own mailbox and of the others that
    /// forward to the same external address; the tenant shows at least three of them.
    func checkFanIn(_ story: GroundTruth.ExpectedStory, context: String) {
        var mailboxes: [String: Set<String>] = [:]  // external address → mailboxes among the evidence
        for id in story.evidence {
            if rules[id] != nil { continue }
            guard let document = documents[id] else {
                Issue.record("\(context): evidence \(id) is no audit record or rule in the timeline")
                continue
            }
            guard let view = forwarding(document.json), let mailbox = forwardingMailbox(document.json) else {
                Issue.record("\(context): record \(id) forwards nothing")
                continue
            }
            for address in view.recipients.map({ $0.lowercased() }) where !isInternal(address) {
                mailboxes[address, default: []].insert(mailbox)
            }
        }
        let shown = mailboxes.filter { $0.value.contains(story.user) && $0.value.count >= 3 }
        #expect(!shown.isEmpty, "\(context): the evidence shows no three mailboxes forwarding to one address")
        let tenant = fanIns()
        for address in shown.keys {
            #expect(tenant[address]?.contains(story.user) == true, "\(context): \(address) is no fan-in")
        }
        #expect(story.criticality == .high, "\(context): criticality")
    }

    func checkLookAlike(_ lookAlike: GroundTruth.BenignLookAlike) {
        let context = "look-alike \(lookAlike.kind) → \(lookAlike.user)"
        guard let user = users[lookAlike.user] else {
            Issue.record("\(context): no such user")
            return
        }
        #expect(!lookAlike.evidence.isEmpty, "\(context): no evidence")
        let (documents, signIns) = resolve(lookAlike.evidence, of: user, context: context)
        let views = documents.compactMap { forwarding($0.json) }
        switch lookAlike.kind {
        case "internal-forwarding-rule", "subdomain-forwarding-rule", "internal-mailbox-forwarding",
            "subdomain-forwarding", "system-forwarding", "internal-fan-in", "internal-transport-rule":
            #expect(!views.isEmpty && views.allSatisfy { !$0.recipients.isEmpty }, "\(context): forwards nothing")
            #expect(!views.contains(where: forwardsOutside), "\(context): forwards outside the tenant")
            if lookAlike.kind == "system-forwarding" { #expect(documents.allSatisfy(isSystem), "\(context): actor") }
        case "newsletter-rule", "mark-read-rule":
            #expect(!views.isEmpty, "\(context): no rule")
            for view in views {
                #expect(!Self.hasFraudKeyword(view.conditions + " " + (view.name ?? "")), "\(context): keyword")
                #expect(!Self.isOnlyPunctuation(view.name), "\(context): name")
                #expect(!view.deletes && !Self.movesToHidingFolder(view), "\(context): hides mail")
                #expect(view.recipients.isEmpty, "\(context): forwards")
                #expect(!isHiding(view))
            }
        case "assistant-delegation":
            let grants = documents.filter { isDelegation($0.json, by: user) }
            #expect(!grants.isEmpty, "\(context): no delegation by the user")
            for grant in grants {
                let mailbox = Self.parameters(grant.json).first { $0.0 == "Identity" }?.1.lowercased()
                #expect(mailbox != lookAlike.user, "\(context): the user delegated their own mailbox")
                let before = (signInsByUser[lookAlike.user] ?? []).filter { $0.time < grant.time }
                #expect(!before.isEmpty, "\(context): no sign-in before the grant")
                #expect(!suspiciousSignIn(before, before: [grant.time]), "\(context): suspicious sign-in")
            }
        case "security-info-after-home-sign-in":
            let changes = documents.filter { Self.isSecurityInfoChange($0.json) }
            #expect(!changes.isEmpty, "\(context): no security info change")
            for change in changes {
                let before = (signInsByUser[lookAlike.user] ?? []).filter { $0.time < change.time }
                #expect(
                    before.last?.authenticationRequirement == "multiFactorAuthentication",
                    "\(context): no multi-factor sign-in just before")
                #expect(!suspiciousSignIn(before, before: [change.time]), "\(context): suspicious sign-in")
            }
        case "system-cmdlet":
            #expect(!documents.isEmpty && documents.allSatisfy(isSystem), "\(context): not a system actor")
        case "travel":
            #expect(signIns.count == 2, "\(context): needs the home and the abroad sign-in")
            guard signIns.count == 2 else { return }
            let (home, abroad) = (signIns[0], signIns[1])
            let gap = abroad.time.timeIntervalSince(home.time)
            #expect(gap >= 12 * 3600, "\(context): only \(gap / 3600) h between sign-ins")
            #expect(home.place.countryOrRegion != abroad.place.countryOrRegion)
            let between = (signInsByUser[lookAlike.user] ?? []).filter { $0.time > home.time && $0.time < abroad.time }
            #expect(between.isEmpty, "\(context): sign-ins during the flight")
            let kilometres = Self.distance(home.place, abroad.place)
            #expect(kilometres / (gap / 3600) < 900, "\(context): faster than an airliner")
            #expect(abroad.authenticationRequirement == "multiFactorAuthentication" && !abroad.deviceTrustType.isEmpty)
            #expect(abroad.riskLevel == .none && abroad.succeeded)
            let later = (phishTimes[lookAlike.user] ?? []).filter { $0 > home.time }
            #expect(later.isEmpty, "\(context): phishing after the trip")
        case "blocked-phish":
            let blocked = documents.filter {
                ($0.json["Operation"] as? String) == "TIMailData" && ($0.json["Verdict"] as? String) == "Phish"
                    && ($0.json["DeliveryAction"] as? String) != "Delivered"
            }
            #expect(!blocked.isEmpty, "\(context): no blocked phish")
            #expect(
                !(signInsByUser[lookAlike.user] ?? []).contains(where: isSuspicious), "\(context): suspicious sign-in")
        case "phish-without-login":
            let phish = documents.filter { phishTargets($0.json).contains(lookAlike.user) }.map(\.time)
            #expect(!phish.isEmpty, "\(context): no phish")
            #expect(
                !suspiciousSignIn(signInsByUser[lookAlike.user] ?? [], before: phish), "\(context): suspicious sign-in")
        default:
            Issue.record("\(context): unknown kind; teach the checker what makes it benign")
        }
    }

    func isSystem(_ document: Document) -> Bool {
        let type = Self.int(document.json["UserType"])
        let actor = document.json["UserId"] as? String ?? ""
        return (type == 3 || type == 4) && actor.hasPrefix("NT AUTHORITY\\SYSTEM")
    }

    /// Great-circle distance in kilometres.
    static func distance(_ a: Place, _ b: Place) -> Double {
        func radians(_ text: String) -> Double { (Double(text) ?? 0) * .pi / 180 }
        let (lat1, lon1, lat2, lon2) = (
            radians(a.latitude), radians(a.longitude), radians(b.latitude), radians(b.longitude)
        )
        let h =
            pow(sin((lat2 - lat1) / 2), 2) + cos(lat1) * cos(lat2) * pow(sin((lon2 - lon1) / 2), 2)
        return 2 * 6371 * asin(min(1, sqrt(h)))
    }
}

struct GroundTruthConsistencyTests {
    private func world(_ scenarios: [String], hours: Double = 6, users: Int = 50, seed: UInt64 = 7) -> SimulatedWorld {
        SimulatedWorld(
            configuration: SimulatorConfiguration(
                seed: seed, scenarios: scenarios, start: consistencyStart, duration: hours * 3600, userCount: users,
                backgroundRate: 2))
    }

    @Test(arguments: ScenarioCatalog.all.map(\.name))
    func everyStoryAndLookAlikeRestsOnRecordsThatShowIt(name: String) {
        // The background runs a whole day so that travel look-alikes have time for a flight.
        let world = name == "benign" ? world([], hours: 24, users: 60) : world([name])
        let tenant = RenderedTenant(world)
        if name != "benign" { #expect(!world.groundTruth.expectedStories.isEmpty) }
        for story in world.groundTruth.expectedStories { tenant.checkStory(story) }
        #expect(!world.groundTruth.benignLookAlikes.isEmpty)
        for lookAlike in world.groundTruth.benignLookAlikes { tenant.checkLookAlike(lookAlike) }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func allAttacksTogetherOverADayStayConsistent(seed: UInt64) {
        let world = world(ScenarioCatalog.attacks.map(\.name), hours: 24, users: 80, seed: seed)
        let tenant = RenderedTenant(world)
        #expect(world.groundTruth.expectedStories.count >= ScenarioCatalog.attacks.count)
        for story in world.groundTruth.expectedStories { tenant.checkStory(story) }
        for lookAlike in world.groundTruth.benignLookAlikes { tenant.checkLookAlike(lookAlike) }
        // A phish-spray recipient never becomes a story of its own: whoever received
        // phishing and signed in suspiciously before it is named by the ground truth.
        let named = Set(world.groundTruth.expectedStories.map(\.user))
        for (user, times) in tenant.phishTimes where !named.contains(user) {
            #expect(!tenant.suspiciousSignIn(tenant.signInsByUser[user] ?? [], before: times), "\(user)")
        }
        // Fan-in stories name exactly the mailboxes the tenant shows forwarding, three or more,
        // to one external address; internal shared addresses make none.
        let fanIn = Set(world.groundTruth.expectedStories.filter { $0.detection == .forwardingFanIn }.map(\.user))
        #expect(!fanIn.isEmpty)
        #expect(fanIn == Set(tenant.fanIns().values.flatMap(\.self)))
    }

    @Test func noBenignBackgroundRecordForwardsOutsideTheTenantOrLooksLikeAnAttack() {
        let world = world([], hours: 24, users: 80)
        let tenant = RenderedTenant(world)
        var rules = 0
        for (id, document) in tenant.documents {
            guard let view = tenant.forwarding(document.json) else { continue }
            rules += 1
            #expect(!tenant.forwardsOutside(view), "record \(id) forwards to \(view.recipients)")
            #expect(!tenant.isHiding(view), "record \(id) hides mail")
        }
        #expect(rules > 0)
        #expect(tenant.phishTimes.isEmpty, "phishing reached someone in the background")
        let travellers = Set(world.groundTruth.benignLookAlikes.filter { $0.kind == "travel" }.map(\.user))
        #expect(!travellers.isEmpty)
        for (user, events) in tenant.signInsByUser {
            for event in events where tenant.isSuspicious(event) {
                #expect(travellers.contains(user), "\(user) signed in suspiciously at \(event.time)")
            }
            // Never a burst: at most two failures within any hour.
            let failures = events.filter { !$0.succeeded }
            for failure in failures {
                let near = failures.filter { abs($0.time.timeIntervalSince(failure.time)) <= 3600 }
                #expect(near.count < 3, "\(user) has a failure burst")
            }
        }
    }

    @Test func theCheckerReadsPowerShellStyleParametersWithQuotesAndSmtpPrefixes() {
        let pairs = RenderedTenant.powerShellPairs(
            #"-Identity "a@contoso.com" -ForwardingSmtpAddress "smtp:x@gmail.example;y@hq.contoso.com" -Name "say ""hi"" - now""#
        )
        #expect(pairs.map(\.0) == ["Identity", "ForwardingSmtpAddress", "Name"])
        #expect(pairs.last?.1 == #"say "hi" - now"#)
        #expect(RenderedTenant.addresses(pairs[1].1) == ["x@gmail.example", "y@hq.contoso.com"])
        #expect(RenderedTenant.isOnlyPunctuation("..."))
        #expect(RenderedTenant.isOnlyPunctuation(" . "))
        #expect(!RenderedTenant.isOnlyPunctuation("Newsletters"))
    }
}
