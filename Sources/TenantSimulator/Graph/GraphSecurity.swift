import Events
import Foundation

/// Identity Protection (`riskyUsers`, `confirmCompromised`), Defender alerts
/// (`security/alerts_v2`) and user-reported mail (`security/threatSubmission/emailThreats`, beta).
extension GraphAPI {
    // MARK: Risky users

    /// A user's risk as Identity Protection shows it at one moment.
    struct RiskView {
        var userId: String
        var userPrincipalName: String
        var displayName: String
        var riskLevel: String
        var riskState: String
        var riskDetail: String
        var updated: Date
    }

    /// The latest risk of `userId` at `now`; an administrator's confirmation overrides it.
    func riskView(_ userId: String, _ state: TenantState, now: Date) -> RiskView? {
        var view: RiskView?
        if let history = riskByUser[userId] {
            let count = GraphSupport.partitionPoint(history.count) { history[$0].since > now }
            if count > 0 {
                let risk = history[count - 1]
                view = RiskView(
                    userId: userId, userPrincipalName: risk.userPrincipalName, displayName: risk.displayName,
                    riskLevel: risk.riskLevel, riskState: risk.riskState, riskDetail: risk.riskDetail,
                    updated: risk.since)
            }
        }
        if let confirmed = state.confirmedCompromised[userId], confirmed <= now {
            let user = userIndexById[userId].map { users[$0] }
            view = RiskView(
                userId: userId, userPrincipalName: view?.userPrincipalName ?? user?.userPrincipalName ?? "",
                displayName: view?.displayName ?? user?.displayName ?? "", riskLevel: "high",
                riskState: "confirmedCompromised", riskDetail: "adminConfirmedUserCompromised", updated: confirmed)
        }
        return view
    }

    func listRiskyUsers(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readRiskyUsers)
        let paging = try offsetRequest(kind: "riskyUsers", call, maxTop: 500)
        let extra = state.confirmedCompromised.keys.filter { riskByUser[$0] == nil }.sorted()
        let views = (riskyUserOrder + extra).compactMap { riskView($0, state, now: call.now) }
            .sorted { ($0.updated, $0.userId) > ($1.updated, $1.userId) }
        let filter = try SplitFilter.parse(paging.filterText, timeProperties: [], refusal: .directory) { clause in
            switch clause.property.lowercased() {
            case "risklevel": SplitFilter.stringComparison(clause) { views[$0].riskLevel }
            case "riskstate": SplitFilter.stringComparison(clause) { views[$0].riskState }
            case "riskdetail": SplitFilter.stringComparison(clause) { views[$0].riskDetail }
            case "userprincipalname": SplitFilter.stringComparison(clause) { views[$0].userPrincipalName }
            case "id": SplitFilter.stringComparison(clause) { views[$0].userId }
            case "risklastupdateddatetime": Self.timeComparison(clause) { views[$0].updated }
            default: nil
            }
        }
        let matching = views.indices.filter(filter.matches)
        let (range, nextLink) = offsetSlice(
            paging, count: matching.count, path: "/identityProtection/riskyUsers", call)
        let values = matching[range].map { call.project(renderRisk(views[$0])) }
        return collection(call, context: "identityProtection/riskyUsers", values, nextLink: nextLink)
    }

    func getRiskyUser(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readRiskyUsers)
        let id = call.parameters["riskyUser"] ?? ""
        guard let view = riskView(id, state, now: call.now) else {
            throw GraphFailure(GraphError.resourceNotFound(id))
        }
        return entity(call, context: "identityProtection/riskyUsers/$entity", call.project(renderRisk(view)))
    }

    func renderRisk(_ view: RiskView) -> OrderedJSON {
        .object([
            "id": .string(view.userId),
            "isDeleted": .bool(false),
            "isProcessing": .bool(false),
            "riskLastUpdatedDateTime": .string(SimTime.graphTime(view.updated)),
            "riskLevel": .string(view.riskLevel),
            "riskState": .string(view.riskState),
            "riskDetail": .string(view.riskDetail),
            "userDisplayName": .string(view.displayName),
            "userPrincipalName": .string(view.userPrincipalName),
        ])
    }

    /// A range comparison on a time property, for lists not kept in time order.
    static func timeComparison(_ clause: GraphFilter.Clause, _ value: @escaping (Int) -> Date) -> ((Int) -> Bool)? {
        guard case .dateTime(let milliseconds) = clause.literal else { return nil }
        var bounds = TimeBounds.unbounded
        guard bounds.apply(clause.op, milliseconds) else { return nil }
        return { bounds.contains(GraphSupport.renderedMilliseconds(value($0))) }
    }

    /// `POST identityProtection/riskyUsers/confirmCompromised` `{"userIds":[…]}` → 204.
    func confirmCompromised(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        let body = GraphSupport.body(call.request)
        let userIds = Self.confirmedUserIds(body)
        return recordingWrite(.confirmCompromised, call, &state) {
            state throws(GraphFailure) in
            try call.require(.writeRiskyUsers)
            switch body {
            case .empty: throw GraphFailure(GraphError.emptyPayload)
            case .invalid: throw GraphFailure(GraphError.invalidJSON)
            case .value: break
            }
            guard let userIds, !userIds.isEmpty else {
                throw GraphFailure(
                    GraphError.response(400, "BadRequest", "The request must list user object ids in 'userIds'."))
            }
            for id in userIds where userIndexById[id] == nil {
                throw GraphFailure(
                    GraphError.response(400, "BadRequest", "'\(id)' is not the object id of a user in this tenant."))
            }
            for id in userIds where state.confirmedCompromised[id] == nil { state.confirmedCompromised[id] = call.now }
            return .noContent()
        }
    }

    // MARK: Alerts

    func listAlerts(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readAlerts)
        let alerts = self.alerts
        let page = try timePage(
            kind: "alerts", column: alertTimes, path: "/security/alerts_v2", call, maxTop: 2000,
            timeProperties: ["createdDateTime", "lastUpdateDateTime", "firstActivityDateTime", "lastActivityDateTime"],
            refusal: .invalidClause
        ) { clause in
            switch clause.property.lowercased() {
            case "severity": SplitFilter.stringComparison(clause) { alerts[$0].severity }
            case "status": SplitFilter.stringComparison(clause) { _ in "new" }
            case "category": SplitFilter.stringComparison(clause) { alerts[$0].category }
            case "servicesource": SplitFilter.stringComparison(clause) { alerts[$0].serviceSource }
            case "detectionsource": SplitFilter.stringComparison(clause) { alerts[$0].detectionSource }
            case "title": SplitFilter.stringComparison(clause) { alerts[$0].title }
            default: nil
            }
        }
        let values = page.indices.map { call.project(renderAlert(alerts[$0])) }
        return collection(call, context: "security/alerts_v2", values, nextLink: page.nextLink)
    }

    func getAlert(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readAlerts)
        let id = call.parameters["alert"] ?? ""
        guard let index = alertIndexById[id], alerts[index].createdAt <= call.now else {
            throw GraphFailure(GraphError.response(404, "NotFound", "Alert '\(id)' was not found."))
        }
        return entity(call, context: "security/alerts_v2/$entity", call.project(renderAlert(alerts[index])))
    }

    func renderAlert(_ alert: SecurityAlert) -> OrderedJSON {
        let created = OrderedJSON.string(SimTime.graphTime(alert.createdAt))
        let tenantId = world.directory.tenantId
        let displayName = displayName(ofUser: alert.userId) ?? alert.userPrincipalName
        let parts = alert.userPrincipalName.split(separator: "@", maxSplits: 1).map(String.init)
        let account: OrderedJSON = .object([
            "accountName": .string(parts.first ?? alert.userPrincipalName),
            "domainName": parts.count > 1 ? .string(parts[1]) : .null,
            "userSid": .null,
            "azureAdUserId": .string(alert.userId),
            "userPrincipalName": .string(alert.userPrincipalName),
            "displayName": .string(displayName),
        ])
        func common(_ type: String) -> [OrderedJSON.Member] {
            [
                .init("@odata.type", .string("#microsoft.graph.security." + type)),
                .init("createdDateTime", created),
                .init("verdict", .string("suspicious")),
                .init("remediationStatus", .string("none")),
                .init("remediationStatusDetails", .null),
                .init("roles", .array([])),
                .init("tags", .array([])),
            ]
        }
        var evidence: [OrderedJSON] = [
            .object(common("userEvidence") + [.init("userAccount", account)]),
            .object(
                common("mailboxEvidence") + [
                    .init("primaryAddress", .string(alert.userPrincipalName)),
                    .init("displayName", .string(displayName)),
                    .init("userAccount", account),
                ]),
        ]
        if let internetMessageId = alert.messageInternetId {
            let message = messageIndexByInternetId[internetMessageId].map { messages[$0] }
            let sender = message?.from.address ?? ""
            evidence.append(
                .object(
                    common("analyzedMessageEvidence") + [
                        .init("internetMessageId", .string(internetMessageId)),
                        .init("networkMessageId", .string(Self.derivedGUID("network-message:" + internetMessageId))),
                        .init("subject", message.map { .string($0.subject) } ?? .null),
                        .init("recipientEmailAddress", .string(alert.userPrincipalName)),
                        .init(
                            "p1Sender",
                            message == nil
                                ? .null
                                : .object([
                                    "emailAddress": .string(sender),
                                    "displayName": .string(message?.from.name ?? ""),
                                    "domainName": .string(sender.split(separator: "@").last.map(String.init) ?? ""),
                                ])),
                        .init(
                            "receivedDateTime",
                            message.map { .string(SimTime.graphTime($0.receivedDateTime)) } ?? .null),
                        .init("deliveryAction", .string("delivered")),
                        .init("deliveryLocation", .string("inbox")),
                        .init("antiSpamDirection", .string("inbound")),
                        .init("urls", .array([])),
                        .init("threatDetectionMethods", .array([])),
                        .init("threats", .array([])),
                    ]))
        }
        let incident = GraphSupport.hash("incident:" + alert.id) % 900_000 + 100_000
        return .object([
            "id": .string(alert.id),
            "providerAlertId": .string(alert.id),
            "incidentId": .string(String(incident)),
            "status": .string("new"),
            "severity": .string(alert.severity),
            "classification": .null,
            "determination": .null,
            "serviceSource": .string(alert.serviceSource),
            "detectionSource": .string(alert.detectionSource),
            "productName": .string("Microsoft Defender for Office 365"),
            "detectorId": .string(Self.derivedGUID("detector:" + alert.title)),
            "tenantId": .string(tenantId),
            "title": .string(alert.title),
            "description": .string(alert.description),
            "recommendedActions": .string(""),
            "category": .string(alert.category),
            "assignedTo": .null,
            "alertWebUrl": .string("https://security.microsoft.com/alerts/\(alert.id)?tid=\(tenantId)"),
            "incidentWebUrl": .string("https://security.microsoft.com/incidents/\(incident)?tid=\(tenantId)"),
            "actorDisplayName": .null,
            "threatDisplayName": .null,
            "threatFamilyName": .null,
            "mitreTechniques": .array([]),
            "createdDateTime": created,
            "lastUpdateDateTime": created,
            "resolvedDateTime": .null,
            "firstActivityDateTime": created,
            "lastActivityDateTime": created,
            "comments": .array([]),
            "evidence": .array(evidence),
            "systemTags": .array([]),
        ])
    }

    // MARK: Threat submissions (beta)

    func listEmailThreats(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readThreatSubmissions)
        let threats = self.threats
        let page = try timePage(
            kind: "emailThreats", column: threatTimes, path: "/security/threatSubmission/emailThreats", call,
            maxTop: 1000, timeProperties: ["createdDateTime"], refusal: .invalidClause
        ) { clause in
            switch clause.property.lowercased() {
            case "category": SplitFilter.stringComparison(clause) { threats[$0].category }
            case "recipientemailaddress": SplitFilter.stringComparison(clause) { threats[$0].recipientEmailAddress }
            case "source": SplitFilter.stringComparison(clause) { _ in "user" }
            case "status": SplitFilter.stringComparison(clause) { _ in "succeeded" }
            default: nil
            }
        }
        let values = page.indices.map { call.project(renderThreat(threats[$0])) }
        return collection(call, context: "security/threatSubmission/emailThreats", values, nextLink: page.nextLink)
    }

    func getEmailThreat(_ call: GraphCall) throws(GraphFailure) -> SimResponse {
        try call.require(.readThreatSubmissions)
        let id = call.parameters["emailThreat"] ?? ""
        guard let index = threatIndexById[id], threats[index].createdAt <= call.now else {
            throw GraphFailure(GraphError.response(404, "NotFound", "Submission '\(id)' was not found."))
        }
        return entity(
            call, context: "security/threatSubmission/emailThreats/$entity", call.project(renderThreat(threats[index])))
    }

    func renderThreat(_ submission: ThreatSubmission) -> OrderedJSON {
        .object([
            "@odata.type": .string("#microsoft.graph.security.emailContentThreatSubmission"),
            "id": .string(submission.id),
            "createdDateTime": .string(SimTime.graphTime(submission.createdAt)),
            "contentType": .string("email"),
            "category": .string(submission.category),
            "source": .string("user"),
            "status": .string("succeeded"),
            "clientSource": .string("microsoft"),
            "tenantId": .string(world.directory.tenantId),
            "createdBy": .object([
                "user": .object([
                    "id": .string(submission.reporterUserId),
                    "displayName": .string(
                        displayName(ofUser: submission.reporterUserId) ?? submission.reporterUserPrincipalName),
                    "email": .string(submission.reporterUserPrincipalName),
                ])
            ]),
            "recipientEmailAddress": .string(submission.recipientEmailAddress),
            "internetMessageId": .string(submission.internetMessageId),
            "subject": .string(submission.subject),
            "sender": .string(submission.sender),
            "senderIP": .null,
            "receivedDateTime": .string(SimTime.graphTime(submission.receivedDateTime)),
            "originalCategory": .string(submission.category),
            "adminReview": .null,
            "attackSimulationInfo": .null,
            "tenantAllowOrBlockListAction": .null,
        ])
    }
}
