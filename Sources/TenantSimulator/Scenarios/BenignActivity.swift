import Events
import Foundation

/// Ordinary days in the tenant: sign-ins from usual places, mail received, read
/// and sent, some spam, and look-alikes of every detection that must not fire —
/// benign rules, internal forwarding, Exchange's own cmdlets, honest travel, and
/// phishing that Defender blocked before it reached anyone.
///
/// Cost is linear in the number of events: each user's events are drawn, sorted
/// and played once; reads name only the messages delivered for them.
enum BenignActivity {
    static let scenario = Scenario(
        name: "benign", summary: "Ordinary activity of every user, full of look-alikes.", isAttack: false
    ) { builder, context in
        play(&builder, context)
    }

    /// Exchange Online's own service process, as the audit log names it.
    static let exchangeServiceHost = "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)"

    /// What a look-alike imitates.
    enum Role: CaseIterable {
        case newsletterRule, markReadRule, colleagueForwarding, subdomainForwarding, mailboxForwarding
        case systemCmdlets, travel, blockedPhish
    }

    /// A trip abroad: the last sign-in at home, and the first at the destination
    /// at least 12 hours later, slower than an airliner.
    struct Trip {
        var departure: Date
        var arrival: Date
        var place: Place
        var ip: String
    }

    static func play(_ builder: inout ScenarioBuilder, _ context: ScenarioContext) {
        let users = context.victims
        let span = context.end.timeIntervalSince(context.start)
        guard !users.isEmpty, span > 0 else { return }
        let eventsPerUser = max(0, Int((context.backgroundRate * span / 3600).rounded()))
        let roles = assignRoles(users, travel: span >= 14 * 3600, random: &builder.random)
        let everyone = builder.directory.users.filter { !$0.isSharedMailbox }

        var fractions: [Double] = []
        fractions.reserveCapacity(eventsPerUser)
        for user in users {
            let role = roles[user.id]
            let trip = role == .travel ? planTrip(for: user, context: context, random: &builder.random) : nil
            fractions.removeAll(keepingCapacity: true)
            for _ in 0..<eventsPerUser { fractions.append(builder.random.unit()) }
            fractions.sort()
            var lastFailure: Date?
            var recent: [MailMessage] = []  // the last few messages delivered, for reads
            for fraction in fractions {
                let time = context.time(at: fraction)
                let place: Place
                let ip: String
                if let trip {
                    if time <= trip.departure {
                        (place, ip) = (user.home, user.usualIPs[0])
                    } else if time >= trip.arrival {
                        (place, ip) = (trip.place, trip.ip)
                    } else {
                        continue  // in the air
                    }
                } else {
                    (place, ip) = (user.home, builder.random.pick(user.usualIPs))
                }
                let roll = builder.random.unit()
                if roll < 0.35 {
                    // At most one failed sign-in per user per 8 hours, always followed by a success:
                    // never a burst.
                    let mayFail = trip == nil && (lastFailure.map { time.timeIntervalSince($0) >= 8 * 3600 } ?? true)
                    if mayFail && builder.random.chance(0.03) {
                        lastFailure = time
                        ordinarySignIn(user, at: time, ip: ip, place: place, errorCode: 50126, builder: &builder)
                        let retry = min(context.end, time.addingTimeInterval(Double(builder.random.between(20...90))))
                        ordinarySignIn(user, at: retry, ip: ip, place: place, builder: &builder)
                    } else {
                        ordinarySignIn(user, at: time, ip: ip, place: place, builder: &builder)
                    }
                } else if roll < 0.6 {
                    let message = receive(user, before: time, everyone: everyone, context: context, builder: &builder)
                    if recent.count == 4 { recent.removeFirst() }
                    recent.append(message)
                    builder.readMail(user, messages: [message], at: time, clientIP: ip)
                } else if roll < 0.75 && !recent.isEmpty {
                    // Reading again (another device syncing): a sample of recent mail, no new message.
                    let count = builder.random.between(1...recent.count)
                    builder.readMail(user, messages: Array(recent.suffix(count)), at: time, clientIP: ip)
                } else if roll < 0.95 {
                    sendInternal(user, at: time, ip: ip, everyone: everyone, builder: &builder)
                } else {
                    builder.deliverMail(
                        to: user, from: builder.random.pick(spamSenders), subject: builder.random.pick(spamSubjects),
                        body: "Unsubscribe at any time.", at: time, verdict: .spam,
                        senderIP: "198.18.0.\(builder.random.between(2...254))")
                }
            }
            if let trip {
                travel(user, trip: trip, builder: &builder)
            } else if let role, role != .travel {
                plant(role, for: user, everyone: everyone, context: context, builder: &builder)
            }
        }
    }

    // MARK: Ordinary events

    static func ordinarySignIn(
        _ user: SimulatedUser, at time: Date, ip: String, place: Place, errorCode: Int = 0,
        builder: inout ScenarioBuilder
    ) {
        // Multi-factor or a managed device, never neither: a phone without a join, or a
        // joined laptop refreshing a token with single factor.
        let device = builder.random.unit()
        if device < 0.1 {
            builder.signIn(
                user, at: time, ip: ip, place: place, errorCode: errorCode, managedDevice: false,
                userAgent: UserAgents.iPhoneOutlook)
        } else if device < 0.2 {
            builder.signIn(user, at: time, ip: ip, place: place, errorCode: errorCode, multiFactor: false)
        } else {
            builder.signIn(
                user, at: time, ip: ip, place: place, errorCode: errorCode,
                app: builder.random.chance(0.5) ? Apps.outlook : Apps.owa,
                userAgent: builder.random.chance(0.7) ? UserAgents.windowsEdge : UserAgents.macSafari)
        }
    }

    static func colleague(of user: SimulatedUser, everyone: [SimulatedUser], random: inout SeededGenerator)
        -> SimulatedUser
    {
        let index = random.below(everyone.count)
        return everyone[index].id == user.id ? everyone[(index + 1) % everyone.count] : everyone[index]
    }

    /// A clean message from a colleague or an outside sender, delivered shortly before `time`.
    static func receive(
        _ user: SimulatedUser, before time: Date, everyone: [SimulatedUser], context: ScenarioContext,
        builder: inout ScenarioBuilder
    ) -> MailMessage {
        let sender: Recipient
        if builder.random.chance(0.4) {
            let colleague = colleague(of: user, everyone: everyone, random: &builder.random)
            sender = Recipient(name: colleague.displayName, address: colleague.userPrincipalName)
        } else {
            sender = builder.random.pick(externalSenders)
        }
        let arrival = max(context.start, time.addingTimeInterval(-Double(builder.random.between(60...1800))))
        return builder.deliverMail(
            to: user, from: sender, subject: builder.random.pick(subjects), body: builder.random.pick(bodies),
            at: arrival
        ).message
    }

    static func sendInternal(
        _ user: SimulatedUser, at time: Date, ip: String, everyone: [SimulatedUser], builder: inout ScenarioBuilder
    ) {
        var recipients: [Recipient] = []
        let size = builder.random.unit()
        for _ in 0..<(size < 0.7 ? 1 : size < 0.95 ? 2 : 3) {
            let colleague = colleague(of: user, everyone: everyone, random: &builder.random)
            if !recipients.contains(where: { $0.address == colleague.userPrincipalName }) {
                recipients.append(Recipient(name: colleague.displayName, address: colleague.userPrincipalName))
            }
        }
        builder.sendMail(
            from: user, to: recipients, subject: builder.random.pick(subjects), body: builder.random.pick(bodies),
            at: time, clientIP: ip)
    }

    // MARK: Reports of legitimate mail

    /// About one user in thirty (at least one) receives a newsletter and, not trusting it,
    /// forwards it as an attachment to the phishing-report mailbox: reports a collector
    /// must carry like any other, whose original is clean. No threat submission, no alert.
    static func reportNewsletters(_ builder: inout ScenarioBuilder, _ context: ScenarioContext) {
        let span = context.end.timeIntervalSince(context.start)
        guard builder.directory.reportMailboxUser != nil, span > 0 else { return }
        var reporters = context.victims.filter { !$0.isProtected && !$0.isSharedMailbox }
        guard !reporters.isEmpty else { return }
        builder.random.shuffle(&reporters)
        for reporter in reporters.prefix(max(1, reporters.count / 30)) {
            let newsletter = builder.random.pick(reportedNewsletters)
            let arrival = context.time(at: 0.1 + 0.6 * builder.random.unit())
            let (message, _) = builder.deliverMail(
                to: reporter, from: newsletter.sender, subject: newsletter.subject, body: newsletter.body,
                at: arrival, senderIP: "198.51.100.\(builder.random.between(30...90))")
            let reportedAt = min(
                context.end.addingTimeInterval(-60),
                arrival.addingTimeInterval(Double(builder.random.between(5 * 60...90 * 60))))
            builder.deliverReport(
                by: reporter, of: message, at: max(arrival, reportedAt), channel: .forwardedAsAttachment)
        }
    }

    /// Legitimate bulk mail that users sometimes take for phishing.
    static let reportedNewsletters = [
        (
            sender: Recipient(name: "Fabrikam Newsletter", address: "newsletter@fabrikam.example"),
            subject: "Your November product digest",
            body: "Highlights of the month from Fabrikam. Manage your subscription in your account settings."
        ),
        (
            sender: Recipient(name: "Tailspin Digest", address: "digest@tailspin.example"),
            subject: "Action needed: confirm your event registration",
            body: "Confirm your seat for the Tailspin partner summit before Friday. See you there."
        ),
        (
            sender: Recipient(name: "Adventure Works News", address: "news@adventure-works.example"),
            subject: "We have updated our privacy policy",
            body: "We have updated our privacy policy. No action is required on your part."
        ),
    ]

    // MARK: Look-alikes

    /// About one user in fifty per role (at least one), never the same user twice,
    /// never a protected account.
    static func assignRoles(_ users: [SimulatedUser], travel: Bool, random: inout SeededGenerator) -> [String: Role] {
        var pool = users.filter { !$0.isProtected }
        random.shuffle(&pool)
        let perRole = max(1, pool.count / 50)
        var roles: [String: Role] = [:]
        var next = 0
        for role in Role.allCases where role != .travel || travel {
            for _ in 0..<perRole where next < pool.count {
                roles[pool[next].id] = role
                next += 1
            }
        }
        return roles
    }

    static func planTrip(for user: SimulatedUser, context: ScenarioContext, random: inout SeededGenerator) -> Trip? {
        let span = context.end.timeIntervalSince(context.start)
        let departure = context.start.addingTimeInterval(span * (0.02 + 0.06 * random.unit()))
        let arrival = departure.addingTimeInterval(3600 * (12.5 + 3 * random.unit()))
        guard arrival.addingTimeInterval(600) < context.end else { return nil }
        let place =
            user.home.countryOrRegion == "US"
            ? random.pick([destinations.paris, destinations.london])
            : random.pick([destinations.newYork, destinations.tokyo])
        return Trip(departure: departure, arrival: arrival, place: place, ip: "192.0.2.\(random.between(10...250))")
    }

    static let destinations = (
        paris: Place(city: "Paris", state: "Paris", countryOrRegion: "FR", latitude: "48.8566", longitude: "2.3522"),
        london: Place(
            city: "London", state: "England", countryOrRegion: "GB", latitude: "51.5072", longitude: "-0.1276"),
        newYork: Place(
            city: "New York", state: "New York", countryOrRegion: "US", latitude: "40.7128", longitude: "-74.0060"),
        tokyo: Place(city: "Tokyo", state: "Tokyo", countryOrRegion: "JP", latitude: "35.6762", longitude: "139.6503")
    )

    /// The last sign-in at home and the first one abroad; nothing phishy follows.
    static func travel(_ user: SimulatedUser, trip: Trip, builder: inout ScenarioBuilder) {
        let home = builder.signIn(user, at: trip.departure, ip: user.usualIPs[0], place: user.home)
        let homeRecord = builder.auditRecordID(of: home) ?? home.id
        let abroad = builder.signIn(
            user, at: trip.arrival, ip: trip.ip, place: trip.place, app: Apps.outlook,
            userAgent: UserAgents.iPhoneOutlook)
        let abroadRecord = builder.auditRecordID(of: abroad) ?? abroad.id
        let hours = trip.arrival.timeIntervalSince(trip.departure) / 3600
        builder.benignLookAlike(
            kind: LookAlikeKind.travel, user: user, resembles: .loginThenPhish,
            explanation:
                "Last sign-in at \(user.home.city), then \(Int(hours)) hours later a multi-factor sign-in on a managed "
                + "device in \(trip.place.city) (\(trip.place.countryOrRegion)): a flight, not impossible travel, "
                + "and no phishing follows.",
            evidence: [homeRecord, abroadRecord, abroad.id])
    }

    static func plant(
        _ role: Role, for user: SimulatedUser, everyone: [SimulatedUser], context: ScenarioContext,
        builder: inout ScenarioBuilder
    ) {
        let at = context.time(at: 0.05 + 0.85 * builder.random.unit())
        let ip = user.usualIPs[0]
        let local = user.userPrincipalName.split(separator: "@")[0]
        let origin: InboxRule.Origin = builder.random.chance(0.5) ? .outlookClient : .exchangeCmdlet
        switch role {
        case .newsletterRule:
            let (rule, record) = builder.createInboxRule(
                owner: user, name: "Newsletters",
                conditions: .init(fromAddresses: [builder.random.pick(newsletterSenders)]),
                actions: .init(moveToFolder: "Newsletters", stopProcessingRules: builder.random.chance(0.5)), at: at,
                origin: origin, clientIP: ip)
            builder.benignLookAlike(
                kind: LookAlikeKind.newsletterRule, user: user, resembles: .hidingRule,
                explanation: "Moves one sender's newsletters to a folder of the user's own; no fraud keyword.",
                evidence: [record, rule.id])
        case .markReadRule:
            let (rule, record) = builder.createInboxRule(
                owner: user, name: "Auto-read build notifications",
                conditions: .init(fromAddresses: [builder.random.pick(noReplySenders)]),
                actions: .init(markAsRead: true), at: at, origin: origin, clientIP: ip)
            builder.benignLookAlike(
                kind: LookAlikeKind.markReadRule, user: user, resembles: .hidingRule,
                explanation: "Marks automated mail from a no-reply sender read; no fraud keyword, nothing deleted.",
                evidence: [record, rule.id])
        case .colleagueForwarding:
            let colleague = colleague(of: user, everyone: everyone, random: &builder.random)
            let (rule, record) = builder.createInboxRule(
                owner: user, name: "Forward to \(colleague.displayName)",
                conditions: .init(subjectContains: ["weekly status"]),
                actions: .init(forwardTo: [colleague.userPrincipalName]), at: at, origin: origin, clientIP: ip)
            builder.benignLookAlike(
                kind: LookAlikeKind.internalForwardingRule, user: user, resembles: .externalForwarding,
                explanation: "Forwards weekly status mail to a colleague inside the tenant.",
                evidence: [record, rule.id])
        case .subdomainForwarding:
            let address = "\(local)@" + builder.random.pick(["hq.contoso.com", "eu.contoso-labs.com"])
            let actions: InboxRule.Actions =
                builder.random.chance(0.5) ? .init(forwardTo: [address]) : .init(redirectTo: [address])
            let (rule, record) = builder.createInboxRule(
                owner: user, name: "Team archive", actions: actions, at: at, origin: origin, clientIP: ip)
            builder.benignLookAlike(
                kind: LookAlikeKind.subdomainForwardingRule, user: user, resembles: .externalForwarding,
                explanation: "Forwards to \(address), a subdomain of an accepted domain: inside the tenant.",
                evidence: [record, rule.id])
        case .mailboxForwarding:
            let colleague = colleague(of: user, everyone: everyone, random: &builder.random)
            let record = builder.setMailboxForwarding(
                user, to: colleague.userPrincipalName, keepCopy: builder.random.chance(0.5), actor: .user(user),
                at: at, clientIP: ip, smtpPrefix: builder.random.chance(0.5))
            builder.benignLookAlike(
                kind: LookAlikeKind.internalMailboxForwarding, user: user, resembles: .externalForwarding,
                explanation: "Mailbox forwarding to a colleague during leave: inside the tenant.", evidence: [record])
        case .systemCmdlets:
            systemCmdlets(for: user, at: at, builder: &builder)
        case .blockedPhish:
            blockedPhish(for: user, at: at, builder: &builder)
        case .travel:
            break
        }
    }

    /// Exchange's service process maintaining a mailbox (`UserType` 3).
    static func systemCmdlets(for user: SimulatedUser, at time: Date, builder: inout ScenarioBuilder) {
        let system = AuditRecordFactory.Actor.system(exchangeServiceHost)
        let upn = user.userPrincipalName
        let mailbox = builder.exchangeCmdlet(
            "Set-Mailbox", parameters: [("Identity", upn), ("RetentionPolicy", "Default MRM Policy")], actor: system,
            objectId: upn, at: time)
        let permission = builder.exchangeCmdlet(
            "Set-MailboxFolderPermission",
            parameters: [("Identity", upn + ":\\Calendar"), ("User", "Default"), ("AccessRights", "AvailabilityOnly")],
            actor: system, objectId: upn + ":\\Calendar", at: time.addingTimeInterval(120))
        let rule = builder.exchangeCmdlet(
            "New-InboxRule",
            parameters: [
                ("Mailbox", upn), ("Name", "Junk E-mail Rule"), ("From", "offers@bulkmail.example"),
                ("MoveToFolder", upn + ":\\Junk Email"), ("MarkAsRead", "True"),
            ], actor: system, objectId: upn + "\\Junk E-mail Rule", at: time.addingTimeInterval(240))
        for (record, resembles) in [
            (mailbox, Detection.externalForwarding), (permission, .accountTakeover), (rule, .hidingRule),
        ] {
            builder.benignLookAlike(
                kind: LookAlikeKind.systemCmdlet, user: user, resembles: resembles,
                explanation: "Exchange's own service process ran a maintenance cmdlet on the mailbox.",
                evidence: [record])
        }
    }

    /// A phish that Defender blocked: a `TIMailData` record, no message in any mailbox.
    static func blockedPhish(for user: SimulatedUser, at time: Date, builder: inout ScenarioBuilder) {
        let from = Recipient(name: "Contoso Billing", address: "accounts@contoso-billing.example")
        let body = "Your payment failed. Update your details: https://contoso-billing.example/update"
        let message = MailMessage(
            id: builder.newMessageId(), mailboxUserId: user.id, folder: "",
            internetMessageId: "<\(builder.random.base64url(byteCount: 12))@contoso-billing.example>",
            subject: "Payment failed: update your details", from: from,
            toRecipients: [Recipient(name: user.displayName, address: user.userPrincipalName)],
            receivedDateTime: time, bodyPreview: body, body: body, isRead: false, hasAttachments: false,
            verdict: .phish)
        let id = builder.random.guid()
        let document = builder.factory.threatIntelligenceMail(
            id: id, time: time, message: message, recipients: [user.userPrincipalName],
            senderIP: Attacker.hostingIP(&builder.random), directionality: "Inbound", deliveryAction: "Blocked",
            verdict: "Phish", quirks: builder.sampleQuirks())
        builder.publish(
            id: id, contentType: .general, time: time, subject: user.userPrincipalName, body: .document(document))
        builder.benignLookAlike(
            kind: LookAlikeKind.blockedPhish, user: user, resembles: .loginThenPhish,
            explanation: "Defender blocked a phishing mail before delivery, and the user never signed in suspiciously.",
            evidence: [id])
    }

    // MARK: Content

    static let externalSenders = [
        Recipient(name: "Fabrikam Updates", address: "updates@fabrikam.example"),
        Recipient(name: "Northwind Orders", address: "orders@northwind.example"),
        Recipient(name: "Tailspin Events", address: "events@tailspin.example"),
        Recipient(name: "Litware Support", address: "help@litware.example"),
        Recipient(name: "Adventure Works", address: "team@adventure-works.example"),
    ]
    static let newsletterSenders = [
        "newsletter@fabrikam.example", "digest@tailspin.example", "news@adventure-works.example",
    ]
    static let noReplySenders = ["noreply@builds.litware.example", "no-reply@ci.fabrikam.example"]
    static let spamSenders = [
        Recipient(name: "Deals Daily", address: "deals@bulkmail.example"),
        Recipient(name: "Conference Promotions", address: "promo@events-offers.example"),
    ]
    static let spamSubjects = ["40% off conference passes this week only", "You are invited: exclusive webinar"]
    static let subjects = [
        "Agenda for Thursday", "Re: project timeline", "Notes from the customer call", "Lunch on Friday?",
        "Updated slides", "Quarterly planning", "Re: draft proposal", "Team offsite", "Question about the roadmap",
        "Follow-up from today",
    ]
    static let bodies = [
        "Thanks, see you there.", "Attached are the notes from today.", "Can we move this to next week?",
        "Looks good to me.", "Let me know what you think.",
    ]
}

/// `BenignLookAlike.kind` values, shared by the background and the attacks.
enum LookAlikeKind {
    static let newsletterRule = "newsletter-rule"
    static let markReadRule = "mark-read-rule"
    static let internalForwardingRule = "internal-forwarding-rule"
    static let subdomainForwardingRule = "subdomain-forwarding-rule"
    static let internalMailboxForwarding = "internal-mailbox-forwarding"
    static let systemCmdlet = "system-cmdlet"
    static let travel = "travel"
    static let blockedPhish = "blocked-phish"
    static let systemForwarding = "system-forwarding"
    static let subdomainForwarding = "subdomain-forwarding"
    static let phishWithoutLogin = "phish-without-login"
    static let internalFanIn = "internal-fan-in"
    static let assistantDelegation = "assistant-delegation"
    static let securityInfoAfterHomeSignIn = "security-info-after-home-sign-in"
    static let internalTransportRule = "internal-transport-rule"
}
