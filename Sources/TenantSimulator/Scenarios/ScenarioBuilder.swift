public import Events
public import Foundation

/// What scenarios use to make things happen in the tenant. Each method records
/// one real-world activity consistently in every place it shows: the Graph
/// resources, the audit records (with quirks and publication delay) and,
/// where a scenario says so, the ground truth.
public struct ScenarioBuilder: Sendable {
    public private(set) var directory: TenantDirectory
    public private(set) var timeline: TenantTimeline
    public private(set) var groundTruth: GroundTruth
    public var random: SeededGenerator
    public let factory: AuditRecordFactory
    public let publication: PublicationProfile
    /// Share of records that get some quirk (string numbers, string parameters, ports in IPs, ...).
    public let quirkRate: Double
    private var ruleSequence: [String: Int] = [:]
    /// Index of each user in `directory.users` by UPN, so delivering to colleagues is not a scan per recipient.
    private let userIndexByPrincipalName: [String: Int]

    public init(
        directory: TenantDirectory, timeline: TenantTimeline, groundTruth: GroundTruth, random: SeededGenerator,
        publication: PublicationProfile, quirkRate: Double = 0.3
    ) {
        self.directory = directory
        var index: [String: Int] = [:]
        for (position, user) in directory.users.enumerated() where index[user.userPrincipalName] == nil {
            index[user.userPrincipalName] = position
        }
        self.userIndexByPrincipalName = index
        self.timeline = timeline
        self.groundTruth = groundTruth
        self.random = random
        self.factory = AuditRecordFactory(
            tenantId: directory.tenantId,
            organizationName: directory.domains.first(where: \.isInitial)?.name ?? directory.defaultDomain)
        self.publication = publication
        self.quirkRate = quirkRate
    }

    /// The finished timeline and ground truth.
    public func finish() -> (TenantDirectory, TenantTimeline, GroundTruth) {
        var timeline = timeline
        timeline.sortByTime()
        return (directory, timeline, groundTruth)
    }

    // MARK: Ground truth

    public mutating func expectStory(
        attack: String, user: SimulatedUser, detection: Detection, criticality: StoryView.Criticality,
        explanation: String, evidence: [String]
    ) {
        groundTruth.expectedStories.append(
            .init(
                attack: attack, user: user.userPrincipalName.lowercased(), detection: detection,
                criticality: criticality, explanation: explanation, evidence: evidence))
    }

    public mutating func benignLookAlike(
        kind: String, user: SimulatedUser, resembles: Detection, explanation: String, evidence: [String]
    ) {
        groundTruth.benignLookAlikes.append(
            .init(
                kind: kind, user: user.userPrincipalName.lowercased(), resembles: resembles, explanation: explanation,
                evidence: evidence))
    }

    // MARK: Audit records

    /// Chooses the quirks of one record.
    public mutating func sampleQuirks() -> AuditQuirks {
        guard random.chance(quirkRate) else { return [] }
        var quirks: AuditQuirks = []
        let all: [AuditQuirks] = [
            .recordTypeAsString, .userTypeAsString, .versionAsString, .parametersAsString, .clientIPWithPort,
            .clientIPMapped, .userIdAsGUID,
        ]
        for quirk in all where random.chance(0.35) { quirks.insert(quirk) }
        return quirks.isEmpty ? random.pick(all) : quirks
    }

    /// Adds a record to be published; returns its `Id`.
    @discardableResult
    public mutating func publish(
        id: String, contentType: ManagementContentType, time: Date, subject: String, body: AuditRecordSpec.Body
    ) -> String {
        let delay = publication.sampleDelay(using: &random)
        let duplicate: TimeInterval? =
            random.chance(publication.duplicateFraction)
            ? delay + publication.sampleDelay(using: &random) + 60 * publication.timeScale : nil
        timeline.auditRecords.append(
            AuditRecordSpec(
                id: id, contentType: contentType, creationTime: time, publicationDelay: delay,
                duplicateDelay: duplicate, subject: subject, body: body))
        return id
    }

    /// A cmdlet against Exchange Online, by a user, a system process or an app. Returns the record id.
    @discardableResult
    public mutating func exchangeCmdlet(
        _ cmdlet: String, parameters: [(String, String)], actor: AuditRecordFactory.Actor, objectId: String,
        at time: Date, clientIP: String? = nil
    ) -> String {
        let id = random.guid()
        let document = factory.exchangeCmdlet(
            id: id, time: time, cmdlet: cmdlet, parameters: parameters, actor: actor, objectId: objectId,
            clientIP: clientIP, quirks: sampleQuirks())
        return publish(id: id, contentType: .exchange, time: time, subject: actor.userId, body: .document(document))
    }

    // MARK: Sign-ins

    /// A sign-in, seen both in Graph `auditLogs/signIns` and as an audit record.
    @discardableResult
    public mutating func signIn(
        _ user: SimulatedUser, at time: Date, ip: String, place: Place, errorCode: Int = 0,
        riskLevel: SignInEvent.RiskLevel = .none, riskEventTypes: [String] = [], multiFactor: Bool = true,
        managedDevice: Bool = true, app: (id: String, name: String) = Apps.outlook,
        userAgent: String = UserAgents.windowsEdge
    ) -> SignInEvent {
        let event = SignInEvent(
            id: random.guid(), time: time, userId: user.id, userPrincipalName: user.userPrincipalName,
            appId: app.id, appDisplayName: app.name, ipAddress: ip, place: place,
            clientAppUsed: app.id == Apps.outlook.id ? "Mobile Apps and Desktop clients" : "Browser",
            isInteractive: true, userAgent: userAgent,
            authenticationRequirement: multiFactor ? "multiFactorAuthentication" : "singleFactorAuthentication",
            deviceTrustType: managedDevice ? "Azure AD joined" : "", riskLevel: riskLevel,
            riskEventTypes: riskEventTypes, errorCode: errorCode,
            failureReason: errorCode == 0 ? "Other." : Self.failureReason(errorCode))
        timeline.signIns.append(event)
        let quirks = sampleQuirks()
        publish(
            id: random.guid(), contentType: .azureActiveDirectory, time: time, subject: user.userPrincipalName,
            body: .signIn(event, quirks))
        return event
    }

    static func failureReason(_ code: Int) -> String {
        switch code {
        case 50126: "Error validating credentials due to invalid username or password."
        case 50053:
            "The account is locked, you've tried to sign in too many times with an incorrect user ID or password."
        case 50057: "User account is disabled. The account has been disabled by an administrator."
        case 50074: "Strong Authentication is required."
        default: "Other."
        }
    }

    /// The audit record id of a sign-in (its `InterSystemsId` is the Graph id).
    public func auditRecordID(of signIn: SignInEvent) -> String? {
        timeline.auditRecords.last {
            if case .signIn(let event, _) = $0.body { return event.id == signIn.id }
            return false
        }?.id
    }

    // MARK: Mail

    /// A message that arrives in `recipient`'s mailbox from outside (or inside) the tenant.
    /// Defender's view of it (TIMailData) is recorded when it judged the message.
    @discardableResult
    public mutating func deliverMail(
        to recipient: SimulatedUser, from sender: Recipient, subject: String, body: String, at time: Date,
        verdict: MailMessage.Verdict = .clean, senderIP: String = "198.51.100.25", hasAttachments: Bool = false
    ) -> (message: MailMessage, recordId: String?) {
        let folder: String
        let deliveryAction: String
        switch verdict {
        case .clean: (folder, deliveryAction) = ("inbox", "Delivered")
        // Zero-hour phish is delivered to the inbox; Defender flags it after the fact.
        case .phish: (folder, deliveryAction) = ("inbox", "Delivered")
        case .spam: (folder, deliveryAction) = ("junkemail", "Junked")
        case .malware: (folder, deliveryAction) = ("", "Blocked")
        }
        let message = MailMessage(
            id: newMessageId(), mailboxUserId: recipient.id, folder: folder,
            internetMessageId: "<\(random.base64url(byteCount: 12))@\(Self.domain(of: sender.address))>",
            subject: subject, from: sender,
            toRecipients: [Recipient(name: recipient.displayName, address: recipient.userPrincipalName)],
            receivedDateTime: time, bodyPreview: String(body.prefix(255)), body: body, isRead: false,
            hasAttachments: hasAttachments, verdict: verdict, senderIP: senderIP)
        if !folder.isEmpty { timeline.messages.append(message) }
        guard verdict != .clean else { return (message, nil) }
        let id = random.guid()
        let direction = directory.isInternal(address: sender.address) ? "IntraOrg" : "Inbound"
        let document = factory.threatIntelligenceMail(
            id: id, time: time, message: message, recipients: [recipient.userPrincipalName], senderIP: senderIP,
            directionality: direction, deliveryAction: deliveryAction, verdict: Self.verdictName(verdict),
            quirks: sampleQuirks())
        publish(
            id: id, contentType: .general, time: time, subject: recipient.userPrincipalName, body: .document(document))
        return (message, id)
    }

    static func verdictName(_ verdict: MailMessage.Verdict) -> String {
        switch verdict {
        case .clean: "Clean"
        case .spam: "Spam"
        case .phish: "Phish"
        case .malware: "Malware"
        }
    }

    /// Mail sent by `sender`: a `Send` record, a copy in Sent Items, a copy in each
    /// internal recipient's inbox, and Defender's outbound verdict when it is phishing.
    /// Returns the `Send` record id and the TIMailData record id, if any.
    @discardableResult
    public mutating func sendMail(
        from sender: SimulatedUser, to recipients: [Recipient], subject: String, body: String, at time: Date,
        clientIP: String, verdict: MailMessage.Verdict = .clean
    ) -> (sendRecordId: String, threatRecordId: String?) {
        let internetMessageId = "<\(random.base64url(byteCount: 12))@\(Self.domain(of: sender.userPrincipalName))>"
        let from = Recipient(name: sender.displayName, address: sender.userPrincipalName)
        let sent = MailMessage(
            id: newMessageId(), mailboxUserId: sender.id, folder: "sentitems", internetMessageId: internetMessageId,
            subject: subject, from: from, toRecipients: recipients, receivedDateTime: time,
            bodyPreview: String(body.prefix(255)), body: body, isRead: true, hasAttachments: false, verdict: verdict)
        timeline.messages.append(sent)
        for recipient in recipients {
            guard let position = userIndexByPrincipalName[recipient.address] else { continue }
            let colleague = directory.users[position]
            var copy = sent
            copy.id = newMessageId()
            copy.mailboxUserId = colleague.id
            copy.folder = "inbox"
            copy.isRead = false
            copy.receivedDateTime = time.addingTimeInterval(2)
            timeline.messages.append(copy)
        }
        let sendId = random.guid()
        let document = factory.mailItem(
            id: sendId, time: time, operation: "Send", message: sent, owner: sender, clientIP: clientIP,
            quirks: sampleQuirks())
        publish(
            id: sendId, contentType: .exchange, time: time, subject: sender.userPrincipalName, body: .document(document)
        )
        guard verdict != .clean else { return (sendId, nil) }
        let threatId = random.guid()
        let external = recipients.contains { !directory.isInternal(address: $0.address) }
        let threat = factory.threatIntelligenceMail(
            id: threatId, time: time.addingTimeInterval(1), message: sent, recipients: recipients.map(\.address),
            senderIP: clientIP, directionality: external ? "Outbound" : "IntraOrg", deliveryAction: "Delivered",
            verdict: Self.verdictName(verdict), quirks: sampleQuirks())
        publish(
            id: threatId, contentType: .general, time: time.addingTimeInterval(1), subject: sender.userPrincipalName,
            body: .document(threat))
        return (sendId, threatId)
    }

    /// `MailItemsAccessed`: the user's mail was read (by them, or by whoever holds their session).
    @discardableResult
    public mutating func readMail(_ owner: SimulatedUser, messages: [MailMessage], at time: Date, clientIP: String)
        -> String
    {
        let id = random.guid()
        let document = factory.mailItemsAccessed(
            id: id, time: time, messages: messages, owner: owner, clientIP: clientIP, sync: messages.count > 20,
            quirks: sampleQuirks())
        return publish(
            id: id, contentType: .exchange, time: time, subject: owner.userPrincipalName, body: .document(document))
    }

    // MARK: Rules and forwarding

    /// A new inbox rule: it appears in Graph `messageRules` from `time` on, and in
    /// the audit log as `New-InboxRule` (cmdlet/OWA) or `UpdateInboxRules` (Outlook).
    /// Returns the rule and its audit record id.
    @discardableResult
    public mutating func createInboxRule(
        owner: SimulatedUser, name: String, conditions: InboxRule.Conditions = .init(), actions: InboxRule.Actions,
        at time: Date, origin: InboxRule.Origin = .exchangeCmdlet, clientIP: String
    ) -> (rule: InboxRule, recordId: String) {
        let sequence = (ruleSequence[owner.id] ?? 0) + 1
        ruleSequence[owner.id] = sequence
        let rule = InboxRule(
            id: "AQAAA" + random.base64url(byteCount: 9) + "=", mailboxUserId: owner.id, displayName: name,
            sequence: sequence, conditions: conditions, actions: actions, createdAt: time, origin: origin)
        timeline.rules.append(rule)
        let id = random.guid()
        let document: OrderedJSON
        switch origin {
        case .outlookClient:
            document = factory.updateInboxRules(
                id: id, time: time, rule: rule, owner: owner, clientIP: clientIP, operation: "AddMailboxRule",
                quirks: sampleQuirks())
        case .exchangeCmdlet:
            document = factory.exchangeCmdlet(
                id: id, time: time, cmdlet: "New-InboxRule", parameters: Self.inboxRuleParameters(rule, owner: owner),
                actor: .user(owner), objectId: owner.userPrincipalName + "\\" + name, clientIP: clientIP,
                quirks: sampleQuirks())
        }
        publish(id: id, contentType: .exchange, time: time, subject: owner.userPrincipalName, body: .document(document))
        return (rule, id)
    }

    /// The `New-InboxRule` parameters of a rule, as Exchange logs them (values as strings, lists `;`-joined).
    static func inboxRuleParameters(_ rule: InboxRule, owner: SimulatedUser) -> [(String, String)] {
        var parameters: [(String, String)] = [("Name", rule.displayName)]
        let conditions = rule.conditions
        if !conditions.subjectContains.isEmpty {
            parameters.append(("SubjectContainsWords", conditions.subjectContains.joined(separator: ";")))
        }
        if !conditions.bodyOrSubjectContains.isEmpty {
            parameters.append(("SubjectOrBodyContainsWords", conditions.bodyOrSubjectContains.joined(separator: ";")))
        }
        if !conditions.fromAddresses.isEmpty {
            parameters.append(("From", conditions.fromAddresses.joined(separator: ";")))
        }
        let actions = rule.actions
        if !actions.forwardTo.isEmpty { parameters.append(("ForwardTo", actions.forwardTo.joined(separator: ";"))) }
        if !actions.forwardAsAttachmentTo.isEmpty {
            parameters.append(("ForwardAsAttachmentTo", actions.forwardAsAttachmentTo.joined(separator: ";")))
        }
        if !actions.redirectTo.isEmpty { parameters.append(("RedirectTo", actions.redirectTo.joined(separator: ";"))) }
        if actions.delete { parameters.append(("DeleteMessage", "True")) }
        if actions.permanentDelete { parameters.append(("PermanentDelete", "True")) }
        if let folder = actions.moveToFolder {
            parameters.append(("MoveToFolder", owner.userPrincipalName + ":" + AuditRecordFactory.folderPath(folder)))
        }
        if actions.markAsRead { parameters.append(("MarkAsRead", "True")) }
        if actions.stopProcessingRules { parameters.append(("StopProcessingRules", "True")) }
        parameters.append(("AlwaysDeleteOutlookRulesBlob", "False"))
        parameters.append(("Force", "False"))
        return parameters
    }

    /// `Set-Mailbox -ForwardingSmtpAddress`: forwarding that Graph cannot see.
    @discardableResult
    public mutating func setMailboxForwarding(
        _ mailbox: SimulatedUser, to address: String, keepCopy: Bool, actor: AuditRecordFactory.Actor, at time: Date,
        clientIP: String?, smtpPrefix: Bool = true
    ) -> String {
        exchangeCmdlet(
            "Set-Mailbox",
            parameters: [
                ("Identity", mailbox.userPrincipalName),
                ("ForwardingSmtpAddress", (smtpPrefix ? "smtp:" : "") + address),
                ("DeliverToMailboxAndForward", keepCopy ? "True" : "False"),
            ],
            actor: actor, objectId: mailbox.userPrincipalName, at: time, clientIP: clientIP)
    }

    /// `New-TransportRule`: an organisation-wide mail flow rule, run by `actor`. Parameters
    /// keep Exchange's order: `Name`, the conditions, the actions, then `Mode` Enforce.
    /// The audit record names the rule in `ObjectId`; Graph cannot see transport rules.
    @discardableResult
    public mutating func newTransportRule(
        name: String, conditions: [(String, String)], actions: [(String, String)], actor: AuditRecordFactory.Actor,
        at time: Date, clientIP: String?
    ) -> String {
        exchangeCmdlet(
            "New-TransportRule", parameters: [("Name", name)] + conditions + actions + [("Mode", "Enforce")],
            actor: actor, objectId: name, at: time, clientIP: clientIP)
    }

    // MARK: Delegation and security info

    /// `Add-MailboxPermission -AccessRights FullAccess`: `grantee` may open `mailbox`.
    /// Attackers turn automapping off so the mailbox does not appear in the grantee's Outlook.
    @discardableResult
    public mutating func addMailboxPermission(
        _ mailbox: SimulatedUser, grantee: String, autoMapping: Bool = true, actor: AuditRecordFactory.Actor,
        at time: Date, clientIP: String?
    ) -> String {
        exchangeCmdlet(
            "Add-MailboxPermission",
            parameters: [
                ("Identity", mailbox.userPrincipalName), ("User", grantee), ("AccessRights", "FullAccess"),
                ("InheritanceType", "All"), ("AutoMapping", autoMapping ? "True" : "False"),
            ],
            actor: actor, objectId: mailbox.userPrincipalName, at: time, clientIP: clientIP)
    }

    /// `User registered security info`: `user` added an authentication method (`method` as
    /// Entra ID names it, e.g. "Authenticator App with Notification and Code") from `clientIP`.
    /// Only the audit log shows it. Returns the record id.
    @discardableResult
    public mutating func registerSecurityInfo(
        _ user: SimulatedUser, method: String, at time: Date, clientIP: String
    ) -> String {
        let id = random.guid()
        let document = factory.securityInfoRegistered(
            id: id, time: time, user: user, method: method, clientIP: clientIP, correlationId: random.guid(),
            quirks: sampleQuirks())
        return publish(
            id: id, contentType: .azureActiveDirectory, time: time, subject: user.userPrincipalName,
            body: .document(document))
    }

    // MARK: Threats and risk

    /// A user reports a message as phishing with Outlook's Report button: a threat
    /// submission in Graph, the "Email reported by user as malware or phish" alert in the
    /// audit log and, when the tenant has a report mailbox, a copy of the message as an
    /// attachment in it (see ``deliverReport(by:of:at:channel:submissionId:)``).
    /// Returns the submission id and the alert record id.
    @discardableResult
    public mutating func reportPhish(by reporter: SimulatedUser, message: MailMessage, at time: Date)
        -> (submissionId: String, recordId: String)
    {
        let result = submitPhish(by: reporter, message: message, at: time)
        deliverReport(by: reporter, of: message, at: time, channel: .reportButton, submissionId: result.submissionId)
        return result
    }

    private mutating func submitPhish(by reporter: SimulatedUser, message: MailMessage, at time: Date)
        -> (submissionId: String, recordId: String)
    {
        let submission = ThreatSubmission(
            id: random.guid(), createdAt: time, reporterUserId: reporter.id,
            reporterUserPrincipalName: reporter.userPrincipalName, recipientEmailAddress: reporter.userPrincipalName,
            sender: message.from.address, subject: message.subject, internetMessageId: message.internetMessageId,
            category: "phishing", receivedDateTime: message.receivedDateTime)
        timeline.threatSubmissions.append(submission)
        let id = random.guid()
        let document = factory.complianceAlert(
            id: id, time: time.addingTimeInterval(30), alertId: random.guid(),
            name: "Email reported by user as malware or phish", severity: "Informational", category: "ThreatManagement",
            user: reporter, message: message, quirks: sampleQuirks())
        publish(
            id: id, contentType: .general, time: time.addingTimeInterval(30), subject: reporter.userPrincipalName,
            body: .document(document))
        return (submission.id, id)
    }

    /// `reporter` sends `message` to the report mailbox as an attachment at `time`: a
    /// report message (`hasAttachments`, one item attachment holding the original with its
    /// transport headers) arrives in the mailbox's inbox seconds later, and the report is
    /// kept in ``TenantTimeline/userReports``. Nothing when the tenant has no report mailbox.
    ///
    /// Its ids and delay come from a generator of its own, seeded by the report, so
    /// adding reports to a scenario leaves every other draw of the scenario as it was.
    @discardableResult
    public mutating func deliverReport(
        by reporter: SimulatedUser, of message: MailMessage, at time: Date, channel: UserReport.Channel,
        submissionId: String? = nil
    ) -> UserReport? {
        guard let mailbox = directory.reportMailboxUser else { return nil }
        var local = GraphSupport.generator(
            "user-report|\(reporter.id)|\(message.id)|\(SimTime.milliseconds(time))|\(channel.rawValue)")
        let received = time.addingTimeInterval(Double(local.between(3...20)) + local.unit())
        let subject =
            channel == .reportButton ? "Phishing report: \(message.subject)" : "FW: \(message.subject)"
        let body: String
        switch channel {
        case .reportButton:
            body =
                "This message was reported as phishing by \(reporter.displayName) "
                + "(\(reporter.userPrincipalName)) using the Report button. The reported message is attached."
        case .forwardedAsAttachment:
            body = "Hi, I got the attached message and I am not sure it is genuine. Can you check it?"
        }
        var original = message
        original.attachments = []
        let attachment = MailAttachment(
            id: "AAMkAD" + local.base64url(byteCount: 72) + "BEgAQA" + local.base64url(byteCount: 24) + "=",
            name: message.subject, lastModifiedDateTime: time, item: original,
            itemHeaders: Self.transportHeaders(of: message, recipient: reporter, random: &local))
        let report = MailMessage(
            id: "AAMkAD" + local.base64url(byteCount: 108) + "=", mailboxUserId: mailbox.id, folder: "inbox",
            internetMessageId: "<\(local.base64url(byteCount: 24))@\(Self.domain(of: reporter.userPrincipalName))>",
            subject: subject, from: Recipient(name: reporter.displayName, address: reporter.userPrincipalName),
            toRecipients: [Recipient(name: mailbox.displayName, address: mailbox.userPrincipalName)],
            receivedDateTime: received, bodyPreview: String(body.prefix(255)), body: body, isRead: false,
            hasAttachments: true, verdict: .clean, attachments: [attachment], sentDateTime: time)
        timeline.messages.append(report)
        let userReport = UserReport(
            channel: channel, reporterUserId: reporter.id, reporterUserPrincipalName: reporter.userPrincipalName,
            reportMailbox: mailbox.userPrincipalName, reportMessageId: report.id,
            reportInternetMessageId: report.internetMessageId, reportSubject: subject, reportedAt: time,
            receivedDateTime: received, attachmentId: attachment.id,
            originalInternetMessageId: message.internetMessageId, originalSender: message.from.address,
            originalSenderName: message.from.name, originalSubject: message.subject,
            originalReceivedDateTime: message.receivedDateTime, verdict: message.verdict,
            submissionId: submissionId)
        timeline.userReports.append(userReport)
        return userReport
    }

    /// The `internetMessageHeaders` of a delivered message, as Exchange Online stamps
    /// them: how it came in, what authentication said, then the sender's own headers.
    static func transportHeaders(of message: MailMessage, recipient: SimulatedUser, random: inout SeededGenerator)
        -> [MessageHeader]
    {
        let senderDomain = domain(of: message.from.address)
        let sent = message.sentDateTime ?? message.receivedDateTime.addingTimeInterval(-2)
        let site = ["BN8", "CH2", "DM6", "SA1"][random.below(4)]
        let server =
            "\(site)PR0\(random.between(1...9))MB\(random.between(1000...9999)).namprd0\(random.between(1...9))"
            + ".prod.outlook.com"
        let build = "15.20.\(random.between(7000...8999)).\(random.between(10...40))"
        var headers: [MessageHeader] = []
        func add(_ name: String, _ value: String) { headers.append(MessageHeader(name: name, value: value)) }
        if let ip = message.senderIP {
            let tls = "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
            add(
                "Received",
                "from mail.\(senderDomain) (\(ip)) by \(server) (2603:10b6:408::\(random.between(16...255))) "
                    + "with Microsoft SMTP Server (\(tls)) id \(build); \(SimTime.mailDate(message.receivedDateTime))")
            let authentication: String
            switch message.verdict {
            case .clean, .spam:
                authentication =
                    "spf=pass (sender IP is \(ip)) smtp.mailfrom=\(senderDomain); dkim=pass (signature was verified) "
                    + "header.d=\(senderDomain);dmarc=pass action=none header.from=\(senderDomain);"
                    + "compauth=pass reason=100"
            case .phish, .malware:
                authentication =
                    "spf=pass (sender IP is \(ip)) smtp.mailfrom=\(senderDomain); dkim=none (message not signed) "
                    + "header.d=none;dmarc=none action=none header.from=\(senderDomain);compauth=softpass reason=201"
            }
            add("Authentication-Results", authentication)
            add(
                "Received-SPF",
                "Pass (protection.outlook.com: domain of \(senderDomain) designates \(ip) as permitted sender)")
        } else {
            add(
                "Received",
                "from \(server) ([::1]) by \(server) ([fe80::\(random.between(16...255))%4]) with mapi id "
                    + "\(build); \(SimTime.mailDate(sent))")
        }
        let to = message.toRecipients.map { "\($0.name) <\($0.address)>" }.joined(separator: ", ")
        add("From", "\(message.from.name) <\(message.from.address)>")
        add("To", to.isEmpty ? "\(recipient.displayName) <\(recipient.userPrincipalName)>" : to)
        add("Subject", message.subject)
        add("Thread-Topic", message.subject)
        add("Date", SimTime.mailDate(sent))
        add("Message-ID", message.internetMessageId)
        add("Content-Language", "en-US")
        add("X-MS-Exchange-Organization-SCL", message.verdict == .clean ? "1" : "5")
        add("X-MS-Exchange-Organization-AuthAs", message.senderIP == nil ? "Internal" : "Anonymous")
        add("Content-Type", "text/plain; charset=\"utf-8\"")
        add("Content-Transfer-Encoding", "8bit")
        add("MIME-Version", "1.0")
        return headers
    }

    /// A Defender for Office 365 alert about a user (Graph `alerts_v2` and the audit log).
    /// Returns the Graph alert id and the audit record id.
    @discardableResult
    public mutating func raiseAlert(
        about user: SimulatedUser, title: String, severity: String, category: String, at time: Date,
        message: MailMessage? = nil, description: String
    ) -> (alertId: String, recordId: String) {
        let alert = SecurityAlert(
            id: "fa" + random.base64url(byteCount: 24), title: title, severity: severity, category: category,
            detectionSource: "microsoftDefenderForOffice365", serviceSource: "microsoftDefenderForOffice365",
            userId: user.id, userPrincipalName: user.userPrincipalName, createdAt: time, description: description,
            messageInternetId: message?.internetMessageId)
        timeline.alerts.append(alert)
        let id = random.guid()
        let document = factory.complianceAlert(
            id: id, time: time, alertId: alert.id, name: title, severity: severity.capitalized, category: category,
            user: user, message: message, quirks: sampleQuirks())
        publish(id: id, contentType: .general, time: time, subject: user.userPrincipalName, body: .document(document))
        return (alert.id, id)
    }

    /// Identity Protection's risk for a user changes.
    public mutating func markRisky(_ user: SimulatedUser, level: String, state: String, detail: String, at time: Date) {
        timeline.riskyUsers.append(
            RiskyUserState(
                userId: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName,
                riskLevel: level, riskState: state, riskDetail: detail, since: time))
    }

    // MARK: Faults baked into the record stream

    /// Adds a record that is not a valid audit record (a fault): the collector must dead-letter it.
    public mutating func malformedRecord(_ text: String, contentType: ManagementContentType, at time: Date) {
        publish(
            id: "malformed-" + random.guid(), contentType: contentType, time: time, subject: "", body: .malformed(text))
        timeline.auditRecords[timeline.auditRecords.count - 1].id = nil
    }

    // MARK: Helpers

    public mutating func newMessageId() -> String { "AAMkAD" + random.base64url(byteCount: 108) + "=" }

    static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? "example.net"
    }
}

/// Applications users sign in to.
public enum Apps {
    public static let outlook = (id: "d3590ed6-52b3-4102-aeff-aad2292ab01c", name: "Microsoft Office")
    public static let owa = (id: "00000002-0000-0ff1-ce00-000000000000", name: "Office 365 Exchange Online")
    public static let azurePowerShell = (id: "1950a258-227b-4e31-a9cf-717495945fc2", name: "Microsoft Azure PowerShell")
}

/// User agents seen in sign-ins.
public enum UserAgents {
    public static let windowsEdge =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
    public static let macSafari =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
    public static let iPhoneOutlook = "Outlook-iOS/2.0"
    /// What adversary-in-the-middle kits and scripted logins often present.
    public static let pythonRequests = "python-requests/2.31.0"
}
