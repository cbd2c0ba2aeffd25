import Events
import Foundation

/// A seeded generator, so a "broad generated sample" is the same on every run.
struct SampleGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bool() -> Bool { next() & 1 == 1 }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }

    mutating func maybe<T>(_ make: (inout SampleGenerator) -> T) -> T? { bool() ? make(&self) : nil }

    /// Times on whole milliseconds, as the encoding keeps them.
    mutating func date() -> Date {
        Date(timeIntervalSince1970: Double(int(1_600_000_000_000...1_900_000_000_000)) / 1000)
    }

    mutating func guid() -> String {
        let hex = String(format: "%016llx%016llx", next(), next())
        let c = Array(hex)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }

    /// Text with the awkward parts real data has: quotes, slashes, non-ASCII, control characters.
    mutating func text() -> String {
        let pieces = [
            "invoice", "Zahlung fällig", "\"quoted\"", "back\\slash", "a/b", "tab\there", "line\nbreak", "日本語",
            "emoji 🎣", "", "RSS Feeds", "smtp:evil@fabrikam.example", "..",
        ]
        return (0..<int(1...3)).map { _ in pick(pieces) }.joined(separator: " ")
    }

    mutating func upn() -> String { "\(pick(["alice", "bob", "carol", "dave"]))\(int(0...99))@contoso.com" }

    mutating func json(depth: Int = 0) -> JSONValue {
        switch int(0...(depth > 3 ? 4 : 6)) {
        case 0: return .null
        case 1: return .bool(bool())
        case 2: return .integer(Int64(int(-1_000_000...1_000_000)))
        case 3: return .number(Double(2 * int(-10_000...10_000) + 1) / 8)  // never integral: 1.0 would read back as 1
        case 4: return .string(text())
        case 5: return .array((0..<int(0...3)).map { _ in json(depth: depth + 1) })
        default:
            return .object(
                Dictionary((0..<int(0...4)).map { ("k\($0)\(text())", json(depth: depth + 1)) }) { a, _ in a })
        }
    }

    mutating func reference() -> SourceReference {
        SourceReference(
            topic: pick(["inboxwatch.raw.audit", "inboxwatch.raw.mail"]), partition: Int32(int(0...11)),
            offset: Int64(int(0...1_000_000)), recordId: guid())
    }
}

/// Samples of every topic value, for round-trip, determinism and schema checks.
enum Samples {
    static func rawAudit(_ g: inout SampleGenerator) -> RawAuditEnvelope {
        RawAuditEnvelope(
            tenantId: g.guid(), contentType: g.pick(["Audit.Exchange", "Audit.AzureActiveDirectory", "Audit.General"]),
            contentId: g.guid(), recordId: g.guid(), collectedAt: g.date(),
            record: .object([
                "Id": .string(g.guid()), "Operation": .string(g.pick(["New-InboxRule", "UserLoggedIn", "Send"])),
                "RecordType": g.bool() ? .integer(1) : .string("1"), "UserId": .string(g.upn()), "extra": g.json(),
            ]))
    }

    static func rawMail(_ g: inout SampleGenerator) -> RawMailEnvelope {
        RawMailEnvelope(
            tenantId: g.guid(), resourceKind: g.pick(RawMailEnvelope.ResourceKind.allCases),
            changeKind: g.pick(RawMailEnvelope.ChangeKind.allCases), resourceId: g.guid(),
            mailbox: g.maybe { $0.upn() }, collectedAt: g.date(), resource: g.json())
    }

    static func story(_ g: inout SampleGenerator) -> StoryView {
        let opened = g.date()
        return StoryView(
            id: EventID.story(
                tenantID: g.guid(), user: g.upn(), detection: "externalForwarding", firstRecordID: g.guid()),
            tenantId: g.guid(), user: g.upn(),
            detection: g.pick(["externalForwarding", "loginThenPhish", "accountTakeover"]),
            title: g.text(), criticality: g.pick(StoryView.Criticality.allCases), confidence: g.int(0...100),
            status: g.pick(StoryView.Status.allCases), summary: g.text(), openedAt: opened,
            updatedAt: opened.addingTimeInterval(Double(g.int(0...86_400))),
            timeline: (0..<g.int(0...4)).map { _ in
                StoryView.TimelineEntry(time: g.date(), event: g.text(), source: g.maybe { $0.reference() })
            },
            entities: StoryView.Entities(
                users: [g.upn()], mailboxes: g.bool() ? [g.upn()] : [],
                ipAddresses: (0..<g.int(0...2)).map { _ in
                    .init(address: "203.0.113.\(g.int(1...254))", country: g.maybe { $0.pick(["NG", "RU", "US"]) })
                },
                rules: (0..<g.int(0...2)).map { _ in .init(name: g.maybe { $0.text() }, id: g.maybe { $0.guid() }) },
                externalRecipients: g.bool() ? ["x\(g.int(0...9))@fabrikam.example"] : [],
                messageIds: g.bool() ? ["<\(g.guid())@contoso.com>"] : []),
            evidence: (0..<g.int(0...3)).map { _ in
                StoryView.Evidence(
                    detection: "externalForwarding", detectionVersion: "1.\(g.int(0...3))", condition: g.text(),
                    matched: ["ForwardTo": g.text()], source: g.maybe { $0.reference() })
            },
            actions: (0..<g.int(0...2)).map { _ in
                StoryView.Action(
                    commandId: g.guid(), action: g.pick(RemediationCommand.Action.allCases), requestedBy: g.upn(),
                    requestedAt: g.date(), outcome: g.maybe { $0.pick(RemediationOutcome.Status.allCases) },
                    completedAt: g.maybe { $0.date() }, detail: g.maybe { $0.text() })
            },
            references: (0..<g.int(1...4)).map { _ in g.reference() },
            verdict: g.maybe {
                StoryView.Verdict(
                    value: $0.pick(StoryView.Verdict.Value.allCases), analyst: $0.upn(), note: $0.maybe { $0.text() },
                    decidedAt: $0.date())
            })
    }

    static func storyEvent(_ g: inout SampleGenerator) -> StoryEvent {
        let story = story(&g)
        return StoryEvent(
            storyId: story.id, sequence: g.int(1...50), kind: g.pick(StoryEvent.Kind.allCases), occurredAt: g.date(),
            story: story)
    }

    static func finding(_ g: inout SampleGenerator) -> OCSFDetectionFinding {
        OCSFDetectionFinding(storyEvent(&g))
    }

    static func command(_ g: inout SampleGenerator) -> RemediationCommand {
        let issued = g.date()
        let action = g.pick(RemediationCommand.Action.allCases)
        return RemediationCommand(
            commandId: g.guid(), storyId: g.maybe { $0.guid() }, tenantId: g.guid(),
            target: .init(user: g.upn(), messageId: g.maybe { $0.guid() }, ruleId: g.maybe { $0.guid() }),
            action: action,
            requestedBy: .init(
                kind: g.pick([.analyst, .autoPolicy]), identity: g.upn(), rule: g.maybe { $0.text() }),
            reason: g.text(), dryRun: g.bool(), issuedAt: issued, expiresAt: issued.addingTimeInterval(3600),
            nonce: g.guid(), approves: action == .approve ? g.guid() : nil,
            signature: g.maybe {
                .init(keyId: "analyst-key-\($0.int(1...3))", value: Data(repeating: 7, count: 64).base64EncodedString())
            })
    }

    static func outcome(_ g: inout SampleGenerator) -> RemediationOutcome {
        let status = g.pick(RemediationOutcome.Status.allCases)
        var outcome = RemediationOutcome(
            commandId: g.guid(), storyId: g.maybe { $0.guid() }, tenantId: g.guid(),
            action: g.pick(RemediationCommand.Action.allCases),
            target: g.maybe { .init(user: $0.upn(), messageId: $0.maybe { $0.guid() }) }, status: status,
            code: g.maybe { $0.text() }, detail: g.text(), attempts: g.int(0...5), receivedAt: g.maybe { $0.date() },
            startedAt: g.maybe { $0.date() }, completedAt: g.date(), nonce: g.maybe { $0.guid() },
            newMessageId: g.maybe { $0.guid() }, approvedBy: g.maybe { $0.upn() },
            heldCommand: status == .held ? command(&g) : nil)
        outcome.observedBefore = g.maybe { $0.text() }
        return outcome
    }

    static func verdict(_ g: inout SampleGenerator) -> StoryVerdict {
        let verdict = g.maybe { $0.pick(StoryView.Verdict.Value.allCases) }
        return StoryVerdict(
            storyId: g.guid(), tenantId: g.guid(), user: g.upn(), verdict: verdict,
            severity: verdict == nil || g.bool() ? g.pick(StoryView.Criticality.allCases) : nil, analyst: g.upn(),
            note: g.maybe { $0.text() }, decidedAt: g.date())
    }

    static func forwarding(_ g: inout SampleGenerator) -> ForwardingObservation {
        let destination = g.pick([
            "X.Sync@Fabrikam.example", "archive\(g.int(0...9))@gmail.example", "ceo.backup@outlook.example",
        ])
        return ForwardingObservation(
            tenantId: g.guid(), destination: destination, user: g.upn(), observedAt: g.date(), source: g.reference(),
            summary: g.pick(["inbox rule \"\(g.text())\" sends mail to", "mailbox forwarding to", "transport rule to"])
                + " \(destination.lowercased())")
    }

    static func snapshot(_ g: inout SampleGenerator) -> CorrelatorStateSnapshot {
        CorrelatorStateSnapshot(
            key: RecordKey(tenantID: g.guid(), user: g.upn()).description,
            covers: (0..<g.int(1...2)).map { _ in
                .init(
                    topic: "inboxwatch.raw.audit", partition: Int32(g.int(0...11)), nextOffset: Int64(g.int(0...99_999))
                )
            },
            updatedAt: g.date(), stateVersion: g.int(1...3), state: g.json())
    }

    static func checkpoint(_ g: inout SampleGenerator) -> CollectorCheckpoint {
        CollectorCheckpoint(
            tenantId: g.guid(), source: g.pick(["audit/Audit.Exchange", "mail/messages/alice@contoso.com"]),
            watermark: g.maybe { $0.date() },
            deltaLink: g.maybe { _ in "https://graph.microsoft.com/v1.0/x/delta?$deltatoken=abc" },
            nextPageUri: g.maybe { _ in
                "https://manage.office.com/api/v1.0/t/activity/feed/subscriptions/content?nextPage=1"
            },
            completedContent: g.maybe { g in
                (0..<g.int(0...3)).map { _ in .init(contentId: g.guid(), contentCreated: g.date()) }
            },
            gaps: g.maybe { g in
                [
                    .init(
                        contentId: g.guid(), contentUri: "https://manage.office.com/api/v1.0/t/activity/feed/audit/x",
                        contentCreated: g.date(), contentExpiration: g.date(), attempts: g.int(1...9),
                        lastError: g.text(), firstFailedAt: g.date())
                ]
            },
            fingerprints: g.maybe { g in [g.guid(): g.text()] },
            updatedAt: g.date())
    }

    static func deadLetter(_ g: inout SampleGenerator) -> DeadLetterRecord {
        let fromKafka = g.bool()
        return DeadLetterRecord(
            reason: g.text(), errorClass: g.pick(["malformedJSON", "unsupportedVersion", "invalidSignature"]),
            stage: g.pick(["collector.audit", "correlator", "actions"]), tenantId: g.maybe { $0.guid() },
            sourceTopic: fromKafka ? "inboxwatch.raw.audit" : nil,
            sourcePartition: fromKafka ? Int32(g.int(0...11)) : nil,
            sourceOffset: fromKafka ? Int64(g.int(0...99_999)) : nil,
            sourceURI: fromKafka ? nil : "https://manage.office.com/api/v1.0/t/activity/feed/audit/\(g.guid())",
            originalKey: g.maybe { Array($0.upn().utf8) },
            originalValue: (0..<g.int(0...40)).map { _ in UInt8(truncatingIfNeeded: g.next()) }, failedAt: g.date())
    }
}
