public import Events
public import Foundation

/// One raw record, audit or Graph, said once in the correlator's own terms: what happened,
/// to whom, when (event time), from where, and the details the detections read.
///
/// The normalizer makes every quirk of the source disappear here: numbers that were strings,
/// `Parameters` that were one PowerShell string, `smtp:` prefixes, `;`-separated lists, ports on
/// IP addresses. Detections never look at raw JSON.
public struct SecurityEvent: Sendable, Hashable, Codable {
    /// What kind of fact this is; detections declare the kinds they read.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A sign-in attempt, successful or not (Graph `signIn`, audit `UserLoggedIn` / `UserLoginFailed`).
        case signIn
        /// Identity Protection's view of the user changed (Graph `riskyUser`).
        case riskChange
        /// An inbox rule was created, changed, enabled or removed (cmdlets, `UpdateInboxRules`, Graph messageRules).
        case inboxRule
        /// Mailbox-level forwarding was set or cleared (`Set-Mailbox -ForwardingSmtpAddress`, ...).
        case mailboxForwarding
        /// Someone was given access to the mailbox (FullAccess, SendAs, SendOnBehalf).
        case mailboxDelegation
        /// An organisation-wide transport rule (`New-TransportRule` / `Set-TransportRule`).
        case transportRule
        /// Authentication methods or security info changed (MFA registration, phone, app).
        case securityInfoChange
        /// A phishing or malicious mail was delivered to the user (ThreatIntelligence, Graph message verdicts).
        case phishDelivered
        /// The user reported a mail as phishing (report mailbox, threat submission, compliance alert).
        case phishReported
        /// Defender for Office 365 raised an alert about the user.
        case defenderAlert
        /// The user's mailbox sent mail.
        case mailSent
        /// Mail was deleted from the user's mailbox (`SoftDelete`, `HardDelete`, `MoveToDeletedItems`).
        case mailDeleted
        /// The user's directory profile (department, job title, manager).
        case userProfile
        /// The tenant's accepted domains: reference data about no user.
        case acceptedDomains
        /// Anything else: kept, counted and passed through, read by no detection shipped today.
        case generic
    }

    /// Who performed the operation, as far as the record says.
    public enum ActorType: String, Sendable, Hashable, Codable {
        case user, admin, system, application, unknown
    }

    /// The record's `ce_id`: the unit of deduplication.
    public var id: String
    public var kind: Kind
    public var tenantId: String
    /// The record key's subject (`alice@contoso.com`, `id:<guid>`, `~system`, ...).
    public var user: String
    /// Event time: `CreationTime`, `createdDateTime`, ... — never the time it was collected.
    public var time: Date
    /// Without port or brackets; IPv4-mapped IPv6 as the IPv4 address.
    public var ipAddress: String?
    /// ISO 3166 alpha-2, when the source says.
    public var country: String?
    /// The source's own name for what happened (`New-InboxRule`, `UserLoggedIn`, `signIn`).
    public var operation: String
    public var actorType: ActorType
    /// The operation's parameters by name, values as text, names as the source spells them.
    public var parameters: [String: String]
    /// Message ids the record names (internet message ids, Graph ids, network message ids).
    public var messageIds: [String]
    public var ruleId: String?
    public var ruleName: String?
    /// Where the record sits on its topic.
    public var source: SourceReference

    public var signIn: SignInDetail?
    public var rule: RuleDetail?
    public var mail: MailDetail?
    public var alert: AlertDetail?
    public var profile: ProfileDetail?
    public var delegation: DelegationDetail?
    /// For `acceptedDomains`: the tenant's domains, lower-cased.
    public var domains: [String]?

    public init(
        id: String, kind: Kind, tenantId: String, user: String, time: Date, ipAddress: String? = nil,
        country: String? = nil, operation: String, actorType: ActorType = .user, parameters: [String: String] = [:],
        messageIds: [String] = [], ruleId: String? = nil, ruleName: String? = nil, source: SourceReference
    ) {
        self.id = id
        self.kind = kind
        self.tenantId = tenantId
        self.user = user
        self.time = time
        self.ipAddress = ipAddress
        self.country = country
        self.operation = operation
        self.actorType = actorType
        self.parameters = parameters
        self.messageIds = messageIds
        self.ruleId = ruleId
        self.ruleName = ruleName
        self.source = source
    }
}

extension SecurityEvent {
    /// True for a state read from Graph (an inbox rule as it is now) rather than a change the
    /// audit log dates: its time is when it was collected, and what it shows happened before.
    public var isSnapshot: Bool { operation == RawMailEnvelope.ResourceKind.messageRule.rawValue }

    /// True for records whose time is when they were collected (snapshots, profiles, domain
    /// lists): they do not move a feed's stream time.
    public var isCollectionTimed: Bool { isSnapshot || kind == .userProfile || kind == .acceptedDomains }

    /// A sign-in attempt as the detections need it.
    public struct SignInDetail: Sendable, Hashable, Codable {
        public var succeeded: Bool
        /// Entra's error code; 0 or nil on success.
        public var errorCode: Int?
        /// `none`, `low`, `medium`, `high` or `hidden` (no Entra ID P2), as Graph says; nil when unknown.
        public var riskLevel: String?
        /// `atRisk`, `confirmedCompromised`, ..., when known.
        public var riskState: String?
        /// True when only one factor was used; nil when the source does not say.
        public var singleFactor: Bool?
        /// True when the device is joined or registered (Graph `deviceDetail.trustType`); nil when unknown.
        public var knownDevice: Bool?
        public var application: String?
        public var latitude: Double?
        public var longitude: Double?
        /// True for records from the audit feed, which carry no location or risk: detections that
        /// need those use the Graph copy of the same sign-in.
        public var fromAuditLog: Bool

        public init(
            succeeded: Bool, errorCode: Int? = nil, riskLevel: String? = nil, riskState: String? = nil,
            singleFactor: Bool? = nil, knownDevice: Bool? = nil, application: String? = nil,
            latitude: Double? = nil, longitude: Double? = nil, fromAuditLog: Bool = false
        ) {
            self.succeeded = succeeded
            self.errorCode = errorCode
            self.riskLevel = riskLevel
            self.riskState = riskState
            self.singleFactor = singleFactor
            self.knownDevice = knownDevice
            self.application = application
            self.latitude = latitude
            self.longitude = longitude
            self.fromAuditLog = fromAuditLog
        }
    }

    /// An inbox rule, mailbox forwarding setting or transport rule: where it sends mail and what it hides.
    public struct RuleDetail: Sendable, Hashable, Codable {
        public enum Change: String, Sendable, Hashable, Codable {
            case created, updated, enabled, disabled, removed
        }

        public var change: Change
        /// Addresses the rule forwards to, redirects to, copies or blind-copies to: lower-cased,
        /// `smtp:` and display names stripped, lists split.
        public var forwardTo: [String]
        public var redirectTo: [String]
        public var forwardAsAttachmentTo: [String]
        public var blindCopyTo: [String]
        /// `DeliverToMailboxAndForward` for mailbox forwarding; nil when not said.
        public var keepsCopy: Bool?
        public var deletes: Bool
        /// The folder mail is moved to, normalised to a well-known name where there is one
        /// (`deleteditems`, `junkemail`, `rssfeeds`, `archive`, `conversationhistory`).
        public var moveToFolder: String?
        public var marksAsRead: Bool
        public var stopsProcessing: Bool
        /// Words the rule's conditions look for (subject, body, sender).
        public var keywords: [String]

        public init(
            change: Change, forwardTo: [String] = [], redirectTo: [String] = [], forwardAsAttachmentTo: [String] = [],
            blindCopyTo: [String] = [], keepsCopy: Bool? = nil, deletes: Bool = false, moveToFolder: String? = nil,
            marksAsRead: Bool = false, stopsProcessing: Bool = false, keywords: [String] = []
        ) {
            self.change = change
            self.forwardTo = forwardTo
            self.redirectTo = redirectTo
            self.forwardAsAttachmentTo = forwardAsAttachmentTo
            self.blindCopyTo = blindCopyTo
            self.keepsCopy = keepsCopy
            self.deletes = deletes
            self.moveToFolder = moveToFolder
            self.marksAsRead = marksAsRead
            self.stopsProcessing = stopsProcessing
            self.keywords = keywords
        }

        /// Every address mail leaves to, in one list.
        public var destinations: [String] { forwardTo + redirectTo + forwardAsAttachmentTo + blindCopyTo }
    }

    /// A mail message: phishing delivered or reported, or mail sent.
    public struct MailDetail: Sendable, Hashable, Codable {
        public var sender: String?
        public var subject: String?
        public var recipients: [String]
        public var internetMessageId: String?
        /// `Phish`, `Malware`, `Spam`, ... as the source says.
        public var verdict: String?
        /// `Delivered`, `Blocked`, `Junked`, ... as the source says.
        public var deliveryAction: String?
        /// For a reported message: who reported it.
        public var reporter: String?

        public init(
            sender: String? = nil, subject: String? = nil, recipients: [String] = [], internetMessageId: String? = nil,
            verdict: String? = nil, deliveryAction: String? = nil, reporter: String? = nil
        ) {
            self.sender = sender
            self.subject = subject
            self.recipients = recipients
            self.internetMessageId = internetMessageId
            self.verdict = verdict
            self.deliveryAction = deliveryAction
            self.reporter = reporter
        }
    }

    /// An alert from Microsoft, kept in Microsoft's words.
    public struct AlertDetail: Sendable, Hashable, Codable {
        public var alertId: String
        public var title: String
        /// `informational`, `low`, `medium`, `high`, lower-cased.
        public var severity: String
        /// `microsoftDefenderForOffice365`, ...
        public var detectionSource: String?
        public var category: String?

        public init(
            alertId: String, title: String, severity: String, detectionSource: String? = nil, category: String? = nil
        ) {
            self.alertId = alertId
            self.title = title
            self.severity = severity
            self.detectionSource = detectionSource
            self.category = category
        }
    }

    /// A directory profile: context for how much a compromise would matter.
    public struct ProfileDetail: Sendable, Hashable, Codable {
        public var displayName: String?
        public var department: String?
        public var jobTitle: String?
        public var manager: String?

        public init(
            displayName: String? = nil, department: String? = nil, jobTitle: String? = nil, manager: String? = nil
        ) {
            self.displayName = displayName
            self.department = department
            self.jobTitle = jobTitle
            self.manager = manager
        }
    }

    /// Access to a mailbox granted to someone else.
    public struct DelegationDetail: Sendable, Hashable, Codable {
        /// `FullAccess`, `SendAs`, `SendOnBehalf`.
        public var rights: [String]
        public var mailbox: String?
        public var grantee: String?

        public init(rights: [String], mailbox: String? = nil, grantee: String? = nil) {
            self.rights = rights
            self.mailbox = mailbox
            self.grantee = grantee
        }
    }
}
