public import Foundation

/// Everything that happens in the simulated tenant over the scenario's span,
/// ordered by event time. It is a pure function of the scenario, the seed and the
/// start time; what clients see of it at a moment depends on the clock and on the
/// writes they made (``TenantState``).
public struct TenantTimeline: Sendable {
    public var start: Date
    public var end: Date
    public var signIns: [SignInEvent] = []
    public var messages: [MailMessage] = []
    public var rules: [InboxRule] = []
    public var riskyUsers: [RiskyUserState] = []
    public var alerts: [SecurityAlert] = []
    public var threatSubmissions: [ThreatSubmission] = []
    public var auditRecords: [AuditRecordSpec] = []
    /// Every report that reached the phishing-report mailbox, by arrival: ground truth
    /// for the collector, whose report messages are in ``messages``.
    public var userReports: [UserReport] = []

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// Sorts every list by event time (stable, so equal times keep generation order).
    mutating func sortByTime() {
        signIns = signIns.stableSorted { $0.time < $1.time }
        messages = messages.stableSorted { $0.receivedDateTime < $1.receivedDateTime }
        rules = rules.stableSorted { $0.createdAt < $1.createdAt }
        riskyUsers = riskyUsers.stableSorted { $0.since < $1.since }
        alerts = alerts.stableSorted { $0.createdAt < $1.createdAt }
        threatSubmissions = threatSubmissions.stableSorted { $0.createdAt < $1.createdAt }
        auditRecords = auditRecords.stableSorted { $0.creationTime < $1.creationTime }
        userReports = userReports.stableSorted { $0.receivedDateTime < $1.receivedDateTime }
    }
}

extension Array {
    func stableSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        enumerated().sorted { lhs, rhs in
            if areInIncreasingOrder(lhs.element, rhs.element) { return true }
            if areInIncreasingOrder(rhs.element, lhs.element) { return false }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
