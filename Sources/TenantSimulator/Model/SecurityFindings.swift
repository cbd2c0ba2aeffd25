public import Foundation

/// Identity Protection's view of a user (`identityProtection/riskyUsers`), from `since` on.
public struct RiskyUserState: Sendable, Hashable {
    public var userId: String
    public var userPrincipalName: String
    public var displayName: String
    /// `low`, `medium`, `high`, `hidden`, `none`.
    public var riskLevel: String
    /// `atRisk`, `confirmedCompromised`, `remediated`, `dismissed`, `confirmedSafe`, `none`.
    public var riskState: String
    public var riskDetail: String
    public var since: Date

    public init(
        userId: String, userPrincipalName: String, displayName: String, riskLevel: String, riskState: String,
        riskDetail: String, since: Date
    ) {
        self.userId = userId
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.riskLevel = riskLevel
        self.riskState = riskState
        self.riskDetail = riskDetail
        self.since = since
    }
}

/// A Defender alert (`security/alerts_v2`).
public struct SecurityAlert: Sendable, Hashable {
    public var id: String
    public var title: String
    /// `low`, `medium`, `high`, `informational`.
    public var severity: String
    public var category: String
    /// `microsoftDefenderForOffice365`, ...
    public var detectionSource: String
    public var serviceSource: String
    public var userId: String
    public var userPrincipalName: String
    public var createdAt: Date
    public var description: String
    public var messageInternetId: String?

    public init(
        id: String, title: String, severity: String, category: String, detectionSource: String,
        serviceSource: String, userId: String, userPrincipalName: String, createdAt: Date, description: String,
        messageInternetId: String?
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.category = category
        self.detectionSource = detectionSource
        self.serviceSource = serviceSource
        self.userId = userId
        self.userPrincipalName = userPrincipalName
        self.createdAt = createdAt
        self.description = description
        self.messageInternetId = messageInternetId
    }
}

/// A message a user reported as phishing (`security/threatSubmission/emailThreats`, beta).
public struct ThreatSubmission: Sendable, Hashable {
    public var id: String
    public var createdAt: Date
    public var reporterUserId: String
    public var reporterUserPrincipalName: String
    public var recipientEmailAddress: String
    public var sender: String
    public var subject: String
    public var internetMessageId: String
    /// `phishing`, `spam`, `malware`, `notJunk`.
    public var category: String
    public var receivedDateTime: Date

    public init(
        id: String, createdAt: Date, reporterUserId: String, reporterUserPrincipalName: String,
        recipientEmailAddress: String, sender: String, subject: String, internetMessageId: String, category: String,
        receivedDateTime: Date
    ) {
        self.id = id
        self.createdAt = createdAt
        self.reporterUserId = reporterUserId
        self.reporterUserPrincipalName = reporterUserPrincipalName
        self.recipientEmailAddress = recipientEmailAddress
        self.sender = sender
        self.subject = subject
        self.internetMessageId = internetMessageId
        self.category = category
        self.receivedDateTime = receivedDateTime
    }
}
