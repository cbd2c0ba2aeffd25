import Collector
import Correlation
import Events
import Foundation

/// Raw records as the collectors publish them, for driving the engine with values.
struct EngineInputs {
    static let tenant = "7d2f5b4e-1c3a-4e8f-9b6d-2a1c3e5f7a9b"
    static let start = Date(timeIntervalSince1970: 1_795_132_800)  // 2026-11-20T00:00:00Z

    private(set) var inputs: [RawInput] = []
    private var offsets: [RawInput.Feed: Int64] = [:]
    var partition: Int32 = 0

    static func time(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }

    static func auditTime(_ date: Date) -> String {
        // CreationTime as Microsoft writes it: UTC without a zone suffix.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func graphTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    mutating func next(_ feed: RawInput.Feed) -> SourceReference {
        let offset = offsets[feed, default: 0]
        offsets[feed] = offset + 1
        return SourceReference(
            topic: feed == .audit ? "inboxwatch.raw.audit" : "inboxwatch.raw.mail", partition: partition,
            offset: offset,
            recordId: "")
    }

    mutating func audit(_ fields: [String: JSONValue], user: String, id: String, at time: Date) {
        var record = fields
        record["Id"] = .string(id)
        record["CreationTime"] = .string(Self.auditTime(time))
        record["OrganizationId"] = .string(Self.tenant)
        record["UserId"] = .string(user)
        record["UserType"] = record["UserType"] ?? .integer(0)
        let envelope = RawAuditEnvelope(
            tenantId: Self.tenant, contentType: "Audit.Exchange", contentId: "blob-\(id)", recordId: id,
            collectedAt: time.addingTimeInterval(1800), record: .object(record))
        let key = RecordKey(tenantID: Self.tenant, user: user).description
        let value = (try? EventEncoder().encode(envelope)) ?? []
        inputs.append(
            RawInput(feed: .audit, key: key, value: value, cloudEventId: EventID.raw(id), source: next(.audit)))
    }

    mutating func graph(
        _ kind: RawMailEnvelope.ResourceKind, _ resource: [String: JSONValue], user: String?, id: String, at time: Date
    ) {
        var resource = resource
        resource["id"] = .string(id)
        let envelope = RawMailEnvelope(
            tenantId: Self.tenant, resourceKind: kind, changeKind: .created, resourceId: id, mailbox: user,
            collectedAt: time.addingTimeInterval(60), resource: .object(resource))
        let key = RecordKey(tenantID: Self.tenant, subject: user.map { .principalName($0) } ?? .unattributed)
            .description
        let value = (try? EventEncoder().encode(envelope)) ?? []
        let ceId = EventID.resourceChange(resourceID: id, changeKind: "created", resource: .object(resource))
        inputs.append(RawInput(feed: .mail, key: key, value: value, cloudEventId: ceId, source: next(.mail)))
    }

    mutating func inboxRule(
        user: String, id: String, at time: Date, name: String = "Rule", forwardTo: String? = nil,
        deleteMessage: Bool = false, actorType: Int = 0, identity: String? = nil
    ) {
        var parameters: [JSONValue] = [.object(["Name": "Name", "Value": .string(name)])]
        if let identity { parameters.append(.object(["Name": "Identity", "Value": .string(identity)])) }
        if let forwardTo { parameters.append(.object(["Name": "ForwardTo", "Value": .string(forwardTo)])) }
        if deleteMessage { parameters.append(.object(["Name": "DeleteMessage", "Value": "True"])) }
        audit(
            [
                "Operation": "New-InboxRule", "RecordType": 1, "Workload": "Exchange", "ResultStatus": "True",
                "ClientIP": "203.0.113.5:51515", "UserType": .integer(Int64(actorType)), "ObjectId": .string(user),
                "Parameters": .array(parameters),
            ], user: user, id: id, at: time)
    }

    mutating func signIn(
        user: String, id: String, at time: Date, ip: String, country: String, latitude: Double, longitude: Double,
        risk: String = "none", errorCode: Int = 0
    ) {
        graph(
            .signIn,
            [
                "createdDateTime": .string(Self.graphTime(time)), "userPrincipalName": .string(user),
                "ipAddress": .string(ip), "appDisplayName": "Office 365 Exchange Online", "isInteractive": true,
                "riskLevelDuringSignIn": .string(risk), "riskLevelAggregated": .string(risk), "riskState": "none",
                "status": .object(["errorCode": .integer(Int64(errorCode))]),
                "location": .object([
                    "countryOrRegion": .string(country),
                    "geoCoordinates": .object(["latitude": .number(latitude), "longitude": .number(longitude)]),
                ]),
            ], user: user, id: id, at: time)
    }

    mutating func phishDelivered(user: String, id: String, at time: Date, subject: String = "Invoice overdue") {
        audit(
            [
                "Operation": "TIMailData", "RecordType": 28, "Workload": "ThreatIntelligence",
                "Verdict": "Phish", "DeliveryAction": "Delivered", "Directionality": "Inbound",
                "Recipients": .array([.string(user)]), "P1Sender": "billing@contoso-invoices.example",
                "Subject": .string(subject), "NetworkMessageId": .string("net-\(id)"),
            ], user: user, id: id, at: time)
    }

    mutating func domains(_ domains: [String], at time: Date) {
        graph(
            .domainList,
            ["value": .array(domains.map { .object(["id": .string($0), "isVerified": true]) })], user: nil,
            id: "domains", at: time)
    }

    mutating func append(_ input: RawInput) { inputs.append(input) }

    mutating func raw(_ feed: RawInput.Feed, key: String, bytes: [UInt8]) {
        inputs.append(RawInput(feed: feed, key: key, value: bytes, cloudEventId: nil, source: next(feed)))
    }
}

/// Runs inputs through an engine and keeps what it said.
struct EngineRun {
    var engine: CorrelatorEngine
    var stories: [StoryEvent] = []
    var deadLetters: [(RawInput, NormalizationError)] = []
    var commands: [RemediationRequest] = []
    var observations: [ForwardingObservation] = []
    var suppressed: [SuppressedFinding] = []
    let clockStart = ContinuousClock.now
    var tick = 0

    init(configuration: CorrelatorConfiguration = Self.configuration, partitions: [Int32] = [0]) {
        engine = CorrelatorEngine(configuration: configuration)
        for partition in partitions { engine.assign(partition, restoring: nil, now: clockStart) }
    }

    static var configuration: CorrelatorConfiguration {
        CorrelatorConfiguration(
            grace: .seconds(30 * 60), idleAfter: .seconds(3600),
            tenants: [EngineInputs.tenant: TenantContext(acceptedDomains: ["contoso.com"])])
    }

    /// Each input a millisecond of processing time after the last, so no feed ever goes idle.
    mutating func feed(_ inputs: some Sequence<RawInput>) {
        for input in inputs {
            tick += 1
            take(engine.receive(input, now: clockStart + .milliseconds(tick)))
        }
    }

    mutating func finish() {
        take(engine.drain())
    }

    mutating func take(_ outputs: [CorrelatorOutput]) {
        for output in outputs {
            switch output {
            case .story(let event, _): stories.append(event)
            case .deadLetter(let input, let error): deadLetters.append((input, error))
            case .command(let request): commands.append(request)
            case .forwarding(let observation): observations.append(observation)
            case .suppressed(let finding): suppressed.append(finding)
            }
        }
    }

    /// Each story as its latest event shows it.
    var finalStories: [String: StoryView] {
        var latest: [String: StoryEvent] = [:]
        for event in stories where (latest[event.storyId]?.sequence ?? 0) < event.sequence {
            latest[event.storyId] = event
        }
        return latest.mapValues(\.story)
    }
}

extension StoryView {
    /// The story without where its records sat on their topics: shuffled input puts the same
    /// records at other offsets, and that is all it may change.
    var withoutOffsets: StoryView {
        var view = self
        view.references = view.references.map {
            SourceReference(topic: $0.topic, partition: $0.partition, offset: 0, recordId: $0.recordId)
        }
        view.timeline = view.timeline.map { entry in
            var entry = entry
            entry.source = entry.source.map {
                SourceReference(topic: $0.topic, partition: $0.partition, offset: 0, recordId: $0.recordId)
            }
            return entry
        }
        view.evidence = view.evidence.map { evidence in
            var evidence = evidence
            evidence.source = evidence.source.map {
                SourceReference(topic: $0.topic, partition: $0.partition, offset: 0, recordId: $0.recordId)
            }
            return evidence
        }
        return view
    }
}

// MARK: - Records in the shapes the detection tests need (Tests/CorrelationTests/Detections)

extension EngineInputs {
    /// An audit record keyed as the audit collector keys it: by the collector's own parser
    /// (`AuditRecordParser`), so a system actor lands on `~system`, an application on `app:…` and
    /// an object id on `id:…`, whatever rule the collector follows. Members are kept as given
    /// (numbers as strings included); `Id`, `CreationTime` (without a zone) and `OrganizationId`
    /// come from the arguments. `keyedTo` overrides the key's subject, for records some path keys
    /// by the mailbox instead.
    mutating func collected(
        _ record: [String: JSONValue], id: String, at time: Date, tenant: String = Self.tenant,
        contentType: String = "Audit.Exchange", keyedTo subject: String? = nil
    ) {
        var record = record
        record["Id"] = .string(id)
        record["CreationTime"] = .string(Self.auditTime(time))
        record["OrganizationId"] = .string(tenant)
        let key: String
        if let subject {
            key = RecordKey(tenantID: tenant, user: subject).description
        } else {
            do {
                key = try AuditRecordParser().parse(
                    Array(JSONValue.object(record).canonicalText.utf8), expectedTenant: tenant
                ).key.description
            } catch {
                preconditionFailure("the audit collector refuses test record \(id): \(error)")
            }
        }
        let envelope = RawAuditEnvelope(
            tenantId: tenant, contentType: contentType, contentId: "blob-\(id)", recordId: id,
            collectedAt: time.addingTimeInterval(1800), record: .object(record))
        let value = (try? EventEncoder().encode(envelope)) ?? []
        inputs.append(
            RawInput(feed: .audit, key: key, value: value, cloudEventId: EventID.raw(id), source: next(.audit)))
    }

    /// An Exchange admin cmdlet (RecordType 1) with `Parameters` as the `{Name, Value}` array,
    /// run by `userId` (a UPN, a GUID, `NT AUTHORITY\SYSTEM (…)`, an app) of `userType`.
    mutating func cmdlet(
        _ cmdlet: String, _ parameters: [(String, String)], by userId: String, userType: JSONValue = "0",
        id: String, at time: Date, clientIP: String = "203.0.113.5:51515", resultStatus: String = "True",
        tenant: String = Self.tenant, keyedTo subject: String? = nil
    ) {
        let list = parameters.map { JSONValue.object(["Name": .string($0.0), "Value": .string($0.1)]) }
        cmdletRecord(
            cmdlet, parameters: .array(list), by: userId, userType: userType, id: id, at: time, clientIP: clientIP,
            resultStatus: resultStatus, tenant: tenant, keyedTo: subject)
    }

    /// The same cmdlet with `Parameters` as one PowerShell-style string (`-ForwardTo "x" -DeleteMessage $true`).
    mutating func cmdlet(
        _ cmdlet: String, powerShell: String, by userId: String, userType: JSONValue = "0", id: String,
        at time: Date, clientIP: String = "203.0.113.5:51515", resultStatus: String = "True",
        tenant: String = Self.tenant
    ) {
        cmdletRecord(
            cmdlet, parameters: .string(powerShell), by: userId, userType: userType, id: id, at: time,
            clientIP: clientIP, resultStatus: resultStatus, tenant: tenant, keyedTo: nil)
    }

    private mutating func cmdletRecord(
        _ cmdlet: String, parameters: JSONValue, by userId: String, userType: JSONValue, id: String, at time: Date,
        clientIP: String, resultStatus: String, tenant: String, keyedTo subject: String?
    ) {
        collected(
            [
                "Operation": .string(cmdlet), "RecordType": "1", "Workload": "Exchange",
                "ResultStatus": .string(resultStatus), "UserType": userType, "UserId": .string(userId),
                "UserKey": .string(userId), "ObjectId": .string(userId), "ClientIP": .string(clientIP),
                "Parameters": parameters,
            ], id: id, at: time, tenant: tenant, keyedTo: subject)
    }

    /// `UpdateInboxRules`: a rule written by desktop Outlook, in `OperationProperties`;
    /// `actions` is the JSON text Outlook's MAPI rule actions appear as.
    mutating func outlookRule(
        by user: String, id: String, at time: Date, name: String, actions: String, condition: String? = nil,
        operation: String = "AddMailboxRule", clientIP: String = "[2a0d:5600::1]:443"
    ) {
        var properties: [JSONValue] = [
            ["Name": "RuleActions", "Value": .string(actions)], ["Name": "RuleId", "Value": .string("rule-\(id)")],
            ["Name": "RuleName", "Value": .string(name)], ["Name": "RuleOperation", "Value": .string(operation)],
            ["Name": "RuleState", "Value": "Enabled"],
        ]
        if let condition { properties.append(["Name": "RuleCondition", "Value": .string(condition)]) }
        collected(
            [
                "Operation": "UpdateInboxRules", "RecordType": 2, "Workload": "Exchange", "ResultStatus": "Succeeded",
                "UserType": 0, "UserId": .string(user), "MailboxOwnerUPN": .string(user), "ClientIP": .string(clientIP),
                "ClientIPAddress": .string(clientIP), "ClientInfoString": "Client=MSExchangeRPC",
                "OperationProperties": .array(properties),
            ], id: id, at: time)
    }

    /// A Graph resource as the mail collector publishes it, keyed by `subject` (the user the
    /// collector names: the mailbox, the sign-in's user, an alert's user evidence).
    mutating func graphResource(
        _ kind: RawMailEnvelope.ResourceKind, _ resource: [String: JSONValue], keyedBy subject: String?, id: String,
        collectedAt: Date, change: RawMailEnvelope.ChangeKind = .created, mailbox: String? = nil,
        tenant: String = Self.tenant
    ) {
        var resource = resource
        resource["id"] = .string(id)
        let envelope = RawMailEnvelope(
            tenantId: tenant, resourceKind: kind, changeKind: change, resourceId: id, mailbox: mailbox,
            collectedAt: collectedAt, resource: .object(resource))
        let key = RecordKey(tenantID: tenant, user: subject).description
        let value = (try? EventEncoder().encode(envelope)) ?? []
        let ceId = EventID.resourceChange(resourceID: id, changeKind: change.rawValue, resource: .object(resource))
        inputs.append(RawInput(feed: .mail, key: key, value: value, cloudEventId: ceId, source: next(.mail)))
    }

    /// Graph recipients: `[{emailAddress:{name, address}}]`.
    static func graphRecipients(_ addresses: [String]) -> JSONValue {
        .array(
            addresses.map { address in
                [
                    "emailAddress": [
                        "name": .string(address.split(separator: "@").first.map(String.init) ?? address),
                        "address": .string(address),
                    ]
                ]
            })
    }

    /// A Graph `messageRule` of `mailbox`, as collected at `time` (a snapshot: its time is when it was read).
    mutating func graphRule(
        mailbox: String, id: String, at time: Date, name: String, actions: [String: JSONValue],
        conditions: [String: JSONValue] = [:], change: RawMailEnvelope.ChangeKind = .created
    ) {
        var resource: [String: JSONValue] = [
            "displayName": .string(name), "sequence": 1, "isEnabled": true, "actions": .object(actions),
        ]
        if !conditions.isEmpty { resource["conditions"] = .object(conditions) }
        graphResource(
            .messageRule, resource, keyedBy: mailbox, id: id, collectedAt: time, change: change, mailbox: mailbox)
    }

    /// A Graph sign-in with what the travel checks read: `authentication` is Graph's
    /// `authenticationRequirement`, `trustType` the device's (`""` for an unmanaged device, nil for no `deviceDetail`).
    mutating func graphSignIn(
        user: String, id: String, at time: Date, ip: String, country: String, latitude: Double, longitude: Double,
        risk: String = "none", riskState: String = "none", errorCode: Int = 0, authentication: String? = nil,
        trustType: String? = nil
    ) {
        var resource: [String: JSONValue] = [
            "createdDateTime": .string(Self.graphTime(time)), "userPrincipalName": .string(user),
            "userId": "5b1f0c2e-7a41-4c55-9d0e-3f2a1b4c5d6e", "ipAddress": .string(ip),
            "appDisplayName": "Office 365 Exchange Online", "clientAppUsed": "Browser", "isInteractive": true,
            "riskLevelDuringSignIn": .string(risk), "riskLevelAggregated": .string(risk),
            "riskState": .string(riskState),
            "status": ["errorCode": .integer(Int64(errorCode))],
            "location": [
                "city": "", "countryOrRegion": .string(country),
                "geoCoordinates": ["latitude": .number(latitude), "longitude": .number(longitude)],
            ],
        ]
        if let authentication { resource["authenticationRequirement"] = .string(authentication) }
        if let trustType {
            resource["deviceDetail"] = [
                "deviceId": "", "operatingSystem": "Windows 10", "trustType": .string(trustType),
            ]
        }
        graphResource(.signIn, resource, keyedBy: user, id: id, collectedAt: time.addingTimeInterval(120))
    }

    /// `User registered security info` (RecordType 8, Audit.AzureActiveDirectory).
    mutating func securityInfoRegistered(
        by user: String, id: String, at time: Date, userType: JSONValue = 0, method: String = "Authenticator App",
        keyedTo subject: String? = nil
    ) {
        collected(
            [
                "Operation": "User registered security info", "RecordType": 8, "Workload": "AzureActiveDirectory",
                "ResultStatus": "Success", "UserType": userType, "UserId": .string(user), "ObjectId": .string(user),
                "ClientIP": "198.51.100.77",
                "ExtendedProperties": .array([
                    ["Name": "resultReason", "Value": .string("User registered \(method)")],
                    ["Name": "loggedByService", "Value": "Authentication Methods"],
                ]),
            ], id: id, at: time, contentType: "Audit.AzureActiveDirectory", keyedTo: subject)
    }

    /// `SoftDelete` / `HardDelete` / `MoveToDeletedItems`: `affectedItems` messages listed in
    /// `AffectedItems`, or only an `OperationCount` (a number or a string, as given).
    mutating func deletion(
        _ operation: String = "SoftDelete", by user: String, id: String, at time: Date, affectedItems: Int? = nil,
        operationCount: JSONValue? = nil, userType: JSONValue = 0, keyedTo subject: String? = nil
    ) {
        var record: [String: JSONValue] = [
            "Operation": .string(operation), "RecordType": 2, "Workload": "Exchange", "ResultStatus": "Succeeded",
            "UserType": userType, "UserId": .string(user), "MailboxOwnerUPN": .string(user),
            "ClientIP": "203.0.113.5", "Folder": ["Id": "LgAAAAD", "Path": "\\Inbox"],
        ]
        if let affectedItems {
            record["AffectedItems"] = .array(
                (0..<affectedItems).map { index in
                    [
                        "Id": .string("item-\(id)-\(index)"),
                        "InternetMessageId": .string("<m-\(id)-\(index)@contoso.com>"),
                        "Subject": .string("Message \(index)"),
                    ]
                })
        }
        if let operationCount { record["OperationCount"] = operationCount }
        collected(record, id: id, at: time, keyedTo: subject)
    }

    /// `Send` of one message to `recipients`.
    mutating func mailSent(by user: String, id: String, at time: Date, recipients: [String], subject: String) {
        collected(
            [
                "Operation": "Send", "RecordType": 2, "Workload": "Exchange", "ResultStatus": "Succeeded",
                "UserType": 0, "UserId": .string(user), "MailboxOwnerUPN": .string(user), "ClientIP": "203.0.113.5",
                "Item": [
                    "Subject": .string(subject), "InternetMessageId": .string("<sent-\(id)@contoso.com>"),
                    "Recipients": .array(recipients.map { .string($0) }),
                ],
            ], id: id, at: time)
    }

    /// `TIMailData` (ThreatIntelligence, RecordType 28), written by Microsoft's own process
    /// (`UserId` ThreatIntelligence, `UserType` 4), so keyed as the collector keys it.
    mutating func threatIntelligenceMail(
        recipients: [String], id: String, at time: Date, verdict: String = "Phish",
        deliveryAction: String = "Delivered",
        subject: String = "Invoice overdue"
    ) {
        collected(
            [
                "Operation": "TIMailData", "RecordType": "28", "Workload": "ThreatIntelligence",
                "UserType": "4", "UserId": "ThreatIntelligence", "UserKey": "ThreatIntelligence",
                "Verdict": .string(verdict), "DeliveryAction": .string(deliveryAction), "Directionality": "Inbound",
                "Recipients": .array(recipients.map { .string($0) }), "P1Sender": "billing@contoso-invoices.example",
                "Subject": .string(subject), "InternetMessageId": .string("<ti-\(id)@contoso-invoices.example>"),
                "NetworkMessageId": .string("net-\(id)"), "SenderIp": "192.0.2.44",
            ], id: id, at: time, contentType: "Audit.General")
    }

    /// `AlertTriggered` (RecordType 40) by `SecurityComplianceAlerts` (`UserType` 4), the user in
    /// `Data` (a JSON object written into a string, `f3u`) and `AlertEntityId`.
    mutating func complianceAlert(
        name: String, severity: String, about user: String, id: String, at time: Date, alertId: String? = nil
    ) {
        let data =
            "{\"etype\":\"User\",\"eid\":\"\(user)\",\"op\":\"AlertTriggered\",\"f3u\":\"\(user)\","
            + "\"mid\":\"<alert-\(id)@contoso-invoices.example>\",\"ms\":\"Invoice overdue\","
            + "\"tsd\":\"billing@contoso-invoices.example\"}"
        collected(
            [
                "Operation": "AlertTriggered", "RecordType": 40, "Workload": "SecurityComplianceCenter",
                "ResultStatus": "Succeeded", "UserType": 4, "UserId": "SecurityComplianceAlerts",
                "UserKey": "SecurityComplianceAlerts", "ObjectId": .string(alertId ?? "alert-\(id)"),
                "AlertId": .string(alertId ?? "alert-\(id)"), "AlertType": "System", "Name": .string(name),
                "Severity": .string(severity), "Category": "ThreatManagement",
                "Source": "Office 365 Security & Compliance", "Data": .string(data), "AlertEntityId": .string(user),
            ], id: id, at: time, contentType: "Audit.General")
    }

    /// Graph `security/alerts_v2`: keyed by its user evidence, as the mail collector keys alerts.
    mutating func graphAlert(
        about user: String, id: String, at time: Date,
        title: String = "Email messages containing malicious URL removed after delivery",
        severity: String?, change: RawMailEnvelope.ChangeKind = .created, updated: Date? = nil
    ) {
        var resource: [String: JSONValue] = [
            "title": .string(title), "createdDateTime": .string(Self.graphTime(time)),
            "lastUpdateDateTime": .string(Self.graphTime(updated ?? time)),
            "detectionSource": "microsoftDefenderForOffice365", "category": "InitialAccess", "status": "new",
            "evidence": .array([
                [
                    "@odata.type": "#microsoft.graph.security.userEvidence",
                    "userAccount": ["userPrincipalName": .string(user)],
                ],
                [
                    "@odata.type": "#microsoft.graph.security.analyzedMessageEvidence",
                    "internetMessageId": .string("<alert-\(id)@contoso-invoices.example>"),
                    "networkMessageId": .string("net-alert-\(id)"), "recipientEmailAddress": .string(user),
                    "subject": "Invoice overdue", "verdict": "phish", "deliveryAction": "delivered",
                    "p1Sender": ["emailAddress": "billing@contoso-invoices.example"],
                ],
            ]),
        ]
        if let severity { resource["severity"] = .string(severity) }
        graphResource(
            .alert, resource, keyedBy: user, id: id, collectedAt: (updated ?? time).addingTimeInterval(300),
            change: change)
    }

    /// A threat submission (`security/threatSubmission/emailThreats`), keyed by the recipient.
    mutating func threatSubmission(recipient: String, reporter: String, id: String, at time: Date) {
        graphResource(
            .threatSubmission,
            [
                "createdDateTime": .string(Self.graphTime(time)), "category": "phishing",
                "recipientEmailAddress": .string(recipient), "sender": "billing@contoso-invoices.example",
                "subject": "Invoice overdue", "internetMessageId": .string("<sub-\(id)@contoso-invoices.example>"),
                "createdBy": ["user": ["email": .string(reporter), "id": "0b6c7d8e-0000-4000-8000-000000000001"]],
            ], keyedBy: recipient, id: id, collectedAt: time.addingTimeInterval(300))
    }

    /// A report read from the phishing-report mailbox, keyed by the reporter.
    mutating func userReport(reporter: String, id: String, at time: Date) {
        graphResource(
            .userReport,
            [
                "reportedAt": .string(Self.graphTime(time)), "reporter": .string(reporter),
                "reportedMessage": [
                    "sender": "billing@contoso-invoices.example", "subject": "Invoice overdue",
                    "internetMessageId": .string("<rep-\(id)@contoso-invoices.example>"),
                ],
            ], keyedBy: reporter, id: id, collectedAt: time.addingTimeInterval(300))
    }

    /// A Graph `message` in `mailbox` whose `X-Forefront-Antispam-Report` header carries `category` (`PHSH`, `SPM`, ...).
    mutating func graphMessage(mailbox: String, id: String, at time: Date, category: String) {
        graphResource(
            .message,
            [
                "receivedDateTime": .string(Self.graphTime(time)), "subject": "Your mailbox is almost full",
                "from": ["emailAddress": ["name": "IT", "address": "it-support@contoso-helpdesk.example"]],
                "toRecipients": Self.graphRecipients([mailbox]),
                "internetMessageId": .string("<msg-\(id)@contoso-helpdesk.example>"),
                "internetMessageHeaders": .array([
                    [
                        "name": "X-Forefront-Antispam-Report",
                        "value": .string("CIP:192.0.2.9;CTRY:;SFV:SPM;CAT:\(category);"),
                    ]
                ]),
            ], keyedBy: mailbox, id: id, collectedAt: time.addingTimeInterval(300), mailbox: mailbox)
    }

    /// A directory user (Graph `user`), read at `time`.
    mutating func userProfile(user: String, at time: Date, jobTitle: String?, department: String? = nil) {
        var resource: [String: JSONValue] = [
            "userPrincipalName": .string(user), "displayName": .string(user.split(separator: "@")[0].capitalized),
        ]
        if let jobTitle { resource["jobTitle"] = .string(jobTitle) }
        if let department { resource["department"] = .string(department) }
        graphResource(.user, resource, keyedBy: user, id: "profile-\(user)", collectedAt: time)
    }
}
