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
