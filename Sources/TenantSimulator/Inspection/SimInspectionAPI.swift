import Foundation

/// The `/sim/` API: what tests and the demo may know that a real tenant would
/// never tell — the ground truth, the state clients changed, every write call,
/// and the fault and clock controls.
extension SimulatedTenant {
    /// What `GET /sim/info` answers: how to reach and sign in to the tenant.
    public nonisolated func info(baseURL: String) -> OrderedJSON {
        let directory = world.directory
        func app(_ app: SimulatorApps.App) -> OrderedJSON {
            .object([
                "displayName": .string(app.displayName),
                "clientId": .string(app.clientId),
                "clientSecret": .string(app.clientSecret),
                "graphRoles": .strings(app.graphRoles.sorted()),
                "managementRoles": .strings(app.managementRoles.sorted()),
            ])
        }
        return .object([
            "baseURL": .string(baseURL),
            "tenantId": .string(directory.tenantId),
            "tenantDomain": .string(directory.defaultDomain),
            "reportMailbox": directory.reportMailbox.map(OrderedJSON.string) ?? .null,
            "clientId": .string(apps.collector.clientId),
            "clientSecret": .string(apps.collector.clientSecret),
            "loginBaseURL": .string(baseURL),
            "graphBaseURL": .string(baseURL),
            "managementBaseURL": .string(baseURL),
            "tokenURL": .string("\(baseURL)/\(directory.tenantId)/oauth2/v2.0/token"),
            "apps": .object(["collector": app(apps.collector), "actions": app(apps.actions)]),
            "scenarios": .strings(world.configuration.scenarios),
            "seed": .string(String(world.configuration.seed)),
            "start": .string(SimTime.graphTime(world.timeline.start)),
            "end": .string(SimTime.graphTime(world.timeline.end)),
            "users": .int(directory.users.count),
            "auditRecords": .int(world.timeline.auditRecords.count),
            "groups": .array(directory.groups.map { groupDocument($0, directory) }),
        ])
    }

    /// A group as `/sim/info` lists it: direct members by user principal name, nested groups by
    /// name, and everyone who is a member transitively.
    private nonisolated func groupDocument(_ group: DirectoryGroup, _ directory: TenantDirectory) -> OrderedJSON {
        let names = Dictionary(directory.users.map { ($0.id, $0.userPrincipalName) }, uniquingKeysWith: { a, _ in a })
        let transitive = directory.users.filter { user in
            directory.transitiveGroups(of: user.id).contains { $0.id == group.id }
        }
        return .object([
            "id": .string(group.id),
            "displayName": .string(group.displayName),
            "members": .strings(group.memberUserIds.compactMap { names[$0] }),
            "memberGroups": .strings(
                group.memberGroupIds.compactMap { id in directory.groups.first { $0.id == id }?.displayName }),
            "transitiveMembers": .strings(transitive.map(\.userPrincipalName)),
        ])
    }

    func inspect(_ request: SimRequest, now: Date) -> SimResponse {
        let path = Array(request.segments.dropFirst())
        switch (request.method, path) {
        case ("GET", ["info"]):
            return .json(200, info(baseURL: currentBaseURL))
        case ("GET", ["ground-truth"]):
            return .jsonData(200, Self.encode(world.groundTruth))
        case ("GET", ["user-reports"]):
            return .json(200, userReportsDocument())
        case ("GET", ["state"]):
            return .json(200, stateDocument(now: now))
        case ("GET", ["writes"]):
            return .json(200, writesDocument())
        case ("GET", ["faults"]):
            return .jsonData(200, Self.encode(faultPlan()))
        case ("PUT", ["faults"]):
            guard let plan = try? JSONDecoder().decode(FaultPlan.self, from: request.body) else {
                return .microsoftError(
                    400, code: "BadRequest", message: "The body must be a fault plan as JSON (see GET /sim/faults).")
            }
            let problems = setFaultPlan(plan)
            guard problems.isEmpty else {
                return .microsoftError(400, code: "BadRequest", message: problems.joined(separator: "; "))
            }
            return .jsonData(200, Self.encode(faultPlan()))
        case ("POST", ["faults", "server-errors"]):
            let count = Self.number(request.body, key: "count") ?? 1
            injectServerErrorBurst(Int(count))
            return .noContent()
        case ("POST", ["faults", "expire-tokens"]):
            expireAllTokens()
            return .noContent()
        case ("GET", ["clock"]):
            return .json(200, .object(["now": .string(SimTime.contentTime(now))]))
        case ("POST", ["clock"]):
            if let seconds = Self.number(request.body, key: "advanceSeconds") {
                advanceClock(by: seconds)
            } else if let text = Self.string(request.body, key: "now"), let date = SimTime.parseWindowTime(text) {
                setClock(to: date)
            } else {
                return .microsoftError(
                    400, code: "BadRequest", message: #"Send {"advanceSeconds": N} or {"now": "YYYY-MM-DDTHH:MM:SSZ"}."#
                )
            }
            return .json(200, .object(["now": .string(SimTime.contentTime(self.now()))]))
        default:
            return .microsoftError(
                404, code: "NotFound",
                message:
                    "Unknown /sim endpoint. Try GET /sim/info, /sim/ground-truth, /sim/user-reports, /sim/state, "
                    + "/sim/writes, /sim/faults, /sim/clock."
            )
        }
    }

    /// Every report that reaches the report mailbox over the run (ground truth, not what
    /// exists yet at the simulator's clock).
    private func userReportsDocument() -> OrderedJSON {
        let mailbox: OrderedJSON = world.directory.reportMailbox.map(OrderedJSON.string) ?? .null
        let reports: [OrderedJSON] = world.timeline.userReports.map(Self.render)
        return .object([.init("reportMailbox", mailbox), .init("value", .array(reports))])
    }

    private static func render(_ report: UserReport) -> OrderedJSON {
        let original: OrderedJSON = .object([
            "internetMessageId": .string(report.originalInternetMessageId),
            "sender": .string(report.originalSender),
            "senderName": .string(report.originalSenderName),
            "subject": .string(report.originalSubject),
            "receivedDateTime": .string(SimTime.graphTime(report.originalReceivedDateTime)),
        ])
        let submission: OrderedJSON = report.submissionId.map(OrderedJSON.string) ?? .null
        return .object([
            "channel": .string(report.channel.rawValue),
            "reporter": .string(report.reporterUserPrincipalName),
            "reporterId": .string(report.reporterUserId),
            "reportMessageId": .string(report.reportMessageId),
            "reportInternetMessageId": .string(report.reportInternetMessageId),
            "reportSubject": .string(report.reportSubject),
            "reportedAt": .string(SimTime.contentTime(report.reportedAt)),
            "receivedDateTime": .string(SimTime.graphTime(report.receivedDateTime)),
            "attachmentId": .string(report.attachmentId),
            "reportedMessage": original,
            "verdict": .string(report.verdict.rawValue),
            "submissionId": submission,
        ])
    }

    private func stateDocument(now: Date) -> OrderedJSON {
        let state = currentState()
        func dates(_ map: [String: Date]) -> OrderedJSON {
            .object(map.sorted { $0.key < $1.key }.map { .init($0.key, .string(SimTime.graphTime($0.value))) })
        }
        return .object([
            "now": .string(SimTime.contentTime(now)),
            "disabledAccounts": dates(state.disabledAccounts),
            "passwordChangeRequired": dates(state.passwordChangeRequired),
            "confirmedCompromised": dates(state.confirmedCompromised),
            "revokedSessions": .object(
                state.revokedSessions.sorted { $0.key < $1.key }.map {
                    .init($0.key, .strings($0.value.map(SimTime.graphTime)))
                }),
            "removedRules": dates(state.removedRules),
            "deletedMessages": dates(state.deletedMessages),
            "movedMessages": .object(
                state.movedMessages.sorted { $0.key < $1.key }.map {
                    .init(
                        $0.key,
                        .object([
                            "newId": .string($0.value.newId), "destination": .string($0.value.destination),
                            "at": .string(SimTime.graphTime($0.value.at)),
                        ]))
                }),
            "sentMail": .array(
                state.sentMail.map {
                    .object([
                        "sender": .string($0.senderUserId), "subject": .string($0.subject), "to": .strings($0.to),
                        "at": .string(SimTime.graphTime($0.at)),
                    ])
                }),
            "subscriptions": .object(
                state.subscriptions.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                    .init($0.key.rawValue, .string($0.value.enabled ? "enabled" : "disabled"))
                }),
        ])
    }

    private func writesDocument() -> OrderedJSON {
        let state = currentState()
        return .object([
            "counts": .array(
                state.writeCounts.sorted { $0.key < $1.key }.map {
                    .object([
                        "endpoint": .string($0.key.endpoint), "target": .string($0.key.target), "count": .int($0.value),
                    ])
                }),
            "total": .int(state.writeCounts.values.reduce(0, +)),
            "recent": .array(
                state.recentWrites.suffix(200).map {
                    .object([
                        "endpoint": .string($0.key.endpoint), "target": .string($0.key.target),
                        "status": .int($0.status),
                        "at": .string(SimTime.contentTime($0.at)),
                    ])
                }),
            "throttled": .int(state.requests.throttled),
            "earlyRetries": .int(state.requests.earlyRetries),
            "byRequestId": .object(
                state.requests.entries.sorted { $0.key < $1.key }.map { id, entry in
                    .init(
                        id,
                        .object([
                            "endpoint": .string(entry.endpoint), "target": .string(entry.target),
                            "attempts": .int(entry.attempts), "succeeded": .int(entry.succeeded),
                            "throttled": .int(entry.throttled), "earlyRetries": .int(entry.earlyRetries),
                            "statuses": .array(entry.statuses.map(OrderedJSON.int)),
                        ]))
                }),
        ])
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func number(_ body: Data, key: String) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return (object[key] as? NSNumber)?.doubleValue
    }

    static func string(_ body: Data, key: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return object[key] as? String
    }
}
