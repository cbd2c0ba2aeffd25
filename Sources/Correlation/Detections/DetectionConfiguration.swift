public import Events
public import Foundation

/// The tuning of the detections for one tenant (or the default for all): thresholds, windows,
/// allowlists, suppressions and who counts as a VIP. Read from the `--detection-tuning` file
/// (``DetectionTuning``); the defaults are what the detections ship with.
public struct DetectionConfiguration: Sendable, Hashable, Codable {
    /// How long after a suspicious sign-in phishing still counts as its consequence.
    public var loginThenPhishWindow: Duration
    /// How long after a suspicious sign-in persistence (a rule, a delegation, an MFA change, mass
    /// deletion) makes it an account takeover.
    public var takeoverWindow: Duration
    /// Recipients (inside and outside, allowlisted partners aside) of one sent mail from which it
    /// counts as phishing sent from the account.
    public var massMailRecipients: Int
    /// Failed sign-ins within `failureBurstWindow` before a success that make it suspicious.
    public var failureBurstCount: Int
    public var failureBurstWindow: Duration
    /// Speed above which two consecutive sign-ins are impossible travel.
    public var impossibleTravelKilometresPerHour: Double
    /// Sign-ins closer than this are never impossible travel (geolocation is coarse).
    public var impossibleTravelMinimumKilometres: Double
    /// Successful sign-ins a user needs before a new country or network counts as unusual.
    public var baselineSignIns: Int
    /// Items deleted within `massDeletionWindow` that count as mass deletion.
    public var massDeletionItems: Int
    public var massDeletionWindow: Duration
    /// Mailboxes forwarding to one external address within `fanInWindow` that make a fan-in.
    public var fanInMailboxes: Int
    public var fanInWindow: Duration
    /// External domains that may receive forwarded mail (a partner), lower-cased. Findings whose
    /// every external recipient is allowed are suppressed (counted and logged); mail sent to them
    /// does not count towards mass mailing.
    public var allowedExternalDomains: Set<String>
    /// External addresses that may receive forwarded mail, lower-cased.
    public var allowedExternalAddresses: Set<String>
    /// Findings not to raise, each with why and until when.
    public var suppressions: [Suppression]
    /// Users whose stories are one level more critical, lower-cased UPNs.
    public var vipUsers: Set<String>
    /// Words of a job title or department that make its holder a VIP (lower-cased, whole words).
    public var vipTitleWords: Set<String>
    /// Words of a rule's conditions typical of fraud or of hiding security mail (lower-cased).
    public var hidingKeywords: [String]

    public init(
        loginThenPhishWindow: Duration = .seconds(24 * 3600), takeoverWindow: Duration = .seconds(24 * 3600),
        massMailRecipients: Int = 25, failureBurstCount: Int = 5, failureBurstWindow: Duration = .seconds(30 * 60),
        impossibleTravelKilometresPerHour: Double = 900, impossibleTravelMinimumKilometres: Double = 500,
        baselineSignIns: Int = 3, massDeletionItems: Int = 50, massDeletionWindow: Duration = .seconds(3600),
        fanInMailboxes: Int = 3, fanInWindow: Duration = .seconds(7 * 24 * 3600),
        allowedExternalDomains: Set<String> = [], allowedExternalAddresses: Set<String> = [],
        suppressions: [Suppression] = [], vipUsers: Set<String> = [],
        vipTitleWords: Set<String> = Self.defaultVIPTitleWords,
        hidingKeywords: [String] = Self.defaultHidingKeywords
    ) {
        self.loginThenPhishWindow = loginThenPhishWindow
        self.takeoverWindow = takeoverWindow
        self.massMailRecipients = massMailRecipients
        self.failureBurstCount = failureBurstCount
        self.failureBurstWindow = failureBurstWindow
        self.impossibleTravelKilometresPerHour = impossibleTravelKilometresPerHour
        self.impossibleTravelMinimumKilometres = impossibleTravelMinimumKilometres
        self.baselineSignIns = baselineSignIns
        self.massDeletionItems = massDeletionItems
        self.massDeletionWindow = massDeletionWindow
        self.fanInMailboxes = fanInMailboxes
        self.fanInWindow = fanInWindow
        self.allowedExternalDomains = Set(allowedExternalDomains.map { $0.lowercased() })
        self.allowedExternalAddresses = Set(allowedExternalAddresses.map { $0.lowercased() })
        self.suppressions = suppressions
        self.vipUsers = Set(vipUsers.map { $0.lowercased() })
        self.vipTitleWords = Set(vipTitleWords.map { $0.lowercased() })
        self.hidingKeywords = hidingKeywords.map { $0.lowercased() }
    }

    /// Titles of the people business email compromise goes after first.
    public static let defaultVIPTitleWords: Set<String> = [
        "chief", "ceo", "cfo", "coo", "cto", "ciso", "cio", "president", "founder", "treasurer", "chairman",
        "chairwoman", "chair", "director",
    ]

    /// Fraud (payments) and hiding the alarm (security notices, phishing warnings). Each matches at
    /// the start of a word of the rule's conditions (`phish` matches "phishing", not "aphish").
    public static let defaultHidingKeywords = [
        "invoice", "payment", "wire", "transfer", "remittance", "bank", "iban", "payroll", "phish", "hack",
        "suspicious", "security", "password", "mfa", "multi-factor", "verification", "fraud", "compromise",
        "unusual", "sign-in", "helpdesk", "it support",
    ]

    /// The first hiding keyword among a rule's condition words, if any.
    public func hidingKeyword(in conditions: [String]) -> String? {
        let text = Self.words(conditions.joined(separator: " "))
        return hidingKeywords.first { text.contains(Self.words($0)) }
    }

    /// Lower-cased words, each preceded by a space: `" sign in"`, so a keyword matches at word starts.
    static func words(_ text: String) -> String {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map { " " + $0 }.joined()
    }

    /// Whether mail to `address` may leave without a story: its address or domain is allowed.
    public func isAllowedExternal(_ address: String) -> Bool {
        let lowered = address.lowercased()
        if allowedExternalAddresses.contains(lowered) { return true }
        guard let domain = TenantContext.domain(of: lowered) else { return false }
        return allowedExternalDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }

    /// Whether the user is a VIP: named as one, or a word of their title or department is a VIP word.
    public func isVIP(_ user: String, profile: SecurityEvent.ProfileDetail?) -> Bool {
        if vipUsers.contains(user.lowercased()) { return true }
        guard let profile, !vipTitleWords.isEmpty else { return false }
        // Whole words or phrases: "vice president" matches, "director" does not match "directory".
        let text = Self.words([profile.jobTitle, profile.department].compactMap { $0 }.joined(separator: " ")) + " "
        return vipTitleWords.contains { text.contains(Self.words($0) + " ") }
    }

    /// Why a finding about `user` is not to be raised, if it is not: it is about forwarding and
    /// every external recipient it names is allowed, or a suppression in force at `time` matches
    /// it. An allowlisted partner does not hide a takeover: that story rests on the sign-in.
    public func suppression(of finding: Finding, user: String, at time: Date) -> String? {
        let recipients = finding.entities.externalRecipients
        if [.externalForwarding, .forwardingFanIn].contains(finding.detection), !recipients.isEmpty,
            recipients.allSatisfy(isAllowedExternal)
        {
            return "every external recipient is allowlisted (\(recipients.joined(separator: ", ")))"
        }
        for suppression in suppressions where suppression.matches(finding, user: user, at: time) {
            return "suppressed until \(suppression.expires.formatted(.iso8601)): \(suppression.reason)"
        }
        return nil
    }
}

/// A finding an analyst decided not to see again for a while: which detection, user or
/// recipient it covers, why, and until when (event time). Fields left out match anything,
/// but at least one of detection, user and recipient must be given.
public struct Suppression: Sendable, Hashable, Codable {
    public var detection: Detection?
    /// A user principal name, or `*@domain` for everyone of a domain; lower-cased.
    public var user: String?
    /// An external address or domain the finding names as a recipient; lower-cased.
    public var recipient: String?
    public var reason: String
    /// Findings about events at or after this time are raised again.
    public var expires: Date

    public init(
        detection: Detection? = nil, user: String? = nil, recipient: String? = nil, reason: String, expires: Date
    ) {
        self.detection = detection
        self.user = user?.lowercased()
        self.recipient = recipient?.lowercased()
        self.reason = reason
        self.expires = expires
    }

    func matches(_ finding: Finding, user subject: String, at time: Date) -> Bool {
        guard time < expires else { return false }
        if let detection, detection != finding.detection { return false }
        if let user {
            let lowered = subject.lowercased()
            if user.hasPrefix("*@") {
                guard lowered.hasSuffix(String(user.dropFirst())) else { return false }
            } else if user != lowered {
                return false
            }
        }
        if let recipient {
            let matched = finding.entities.externalRecipients.contains { address in
                address == recipient
                    || TenantContext.domain(of: address).map {
                        $0 == recipient || $0.hasSuffix("." + recipient)
                    } ?? false
            }
            guard matched else { return false }
        }
        return true
    }
}
