import Events
import Foundation
import Testing

@testable import Correlation

struct EnvelopeNormalizationTests {
    @Test func anAuditEventTakesItsIdSourceTenantAndUserFromTheEnvelopeAndKey() throws {
        let record = try RawRecords.cmdlet("Get-Mailbox", [("Identity", "alice")])
        let event = try RawRecords.normalize(RawRecords.audit(record, recordId: "4A1B0C2D-AAAA"))
        #expect(event.id == EventID.raw("4A1B0C2D-AAAA"))
        #expect(event.source.recordId == event.id)
        #expect(event.source.topic == "inboxwatch.raw.audit")
        #expect(event.source.offset == 41)
        #expect(event.tenantId == RawRecords.tenant)
        #expect(event.user == "alice@contoso.com")
        #expect(event.time == RawRecords.recordTime)
    }

    @Test func theCloudEventIdHeaderWinsOverTheComputedId() throws {
        let record = try RawRecords.cmdlet("Get-Mailbox", [])
        let event = try RawRecords.normalize(RawRecords.audit(record, cloudEventId: "header-id"))
        #expect(event.id == "header-id")
        #expect(event.source.recordId == "header-id")
    }

    @Test func theUserIsTheKeySubjectByteForByteWhateverTheRecordSays() throws {
        let record = try RawRecords.cmdlet("Get-Mailbox", [], userId: "8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1")
        let event = try RawRecords.normalize(
            RawRecords.audit(record, subject: "id:8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1"))
        #expect(event.user == "id:8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1")
        #expect(event.actorType == .user)
    }

    @Test func aMailEventIdAgreesWithTheCollectorsResourceChangeId() throws {
        let envelope = RawRecords.mailEnvelope(
            .signIn, try RawRecords.json(#"{"id":"s1","createdDateTime":"2026-11-20T01:02:03Z"}"#), resourceId: "s1")
        let event = try RawRecords.normalize(RawRecords.mail(envelope))
        #expect(
            event.id == EventID.resourceChange(resourceID: "s1", changeKind: "created", resource: envelope.resource))
        #expect(event.source.recordId == event.id)
    }

    @Test func bytesThatAreNotJSONAreAMalformedEnvelopeSayingWhatWasWrong() {
        let input = RawInput(
            feed: .audit, key: "t/alice", value: Array("{\"tenantId\":".utf8), cloudEventId: nil,
            source: RawRecords.source("inboxwatch.raw.audit"))
        #expect(throws: NormalizationError.self) {
            try Normalizer().normalize(input)
        }
        #expect(RawRecords.refusal(input) == .malformedEnvelope)
        do {
            _ = try Normalizer().normalize(input)
        } catch {
            #expect(error.message.contains("raw-audit-envelope"))
            #expect(error.message.contains("inboxwatch.raw.audit/2@41"))
        }
    }

    @Test func aMailEnvelopeOnTheAuditFeedIsAMalformedEnvelope() throws {
        let mail = try RawRecords.mail(.signIn, #"{"id":"s1","createdDateTime":"2026-11-20T01:02:03Z"}"#)
        let misfiled = RawInput(
            feed: .audit, key: mail.key, value: mail.value, cloudEventId: nil, source: mail.source)
        #expect(RawRecords.refusal(misfiled) == .malformedEnvelope)
    }

    @Test func anEnvelopeOfAnUnknownMajorVersionIsAMalformedEnvelope() throws {
        var text = String(decoding: try RawRecords.audit(RawRecords.json("{}")).value, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"schemaVersion\":\"1.0\"", with: "\"schemaVersion\":\"9.0\"")
        let input = RawInput(
            feed: .audit, key: "t/a", value: Array(text.utf8), cloudEventId: nil,
            source: RawRecords.source("inboxwatch.raw.audit"))
        #expect(RawRecords.refusal(input) == .malformedEnvelope)
    }

    @Test func anAuditRecordThatIsNotAnObjectIsAMalformedRecord() throws {
        #expect(RawRecords.refusal(try RawRecords.audit(.array([]))) == .malformedRecord)
        #expect(RawRecords.refusal(try RawRecords.audit(.string("Id=1"))) == .malformedRecord)
    }

    @Test func aGraphResourceThatIsNotAnObjectIsAMalformedRecord() throws {
        let input = try RawRecords.mail(RawRecords.mailEnvelope(.signIn, .string("nope")))
        #expect(RawRecords.refusal(input) == .malformedRecord)
    }

    @Test func anAuditRecordWithoutAUsableCreationTimeIsMissingItsEventTime() throws {
        #expect(RawRecords.refusal(try RawRecords.audit(#"{"Id":"x","Operation":"Send"}"#)) == .missingEventTime)
        #expect(
            RawRecords.refusal(try RawRecords.audit(#"{"Id":"x","CreationTime":"yesterday","Operation":"Send"}"#))
                == .missingEventTime)
    }

    @Test func anEventLikeGraphResourceWithoutItsTimeIsMissingItsEventTime() throws {
        #expect(RawRecords.refusal(try RawRecords.mail(.signIn, #"{"id":"s1"}"#)) == .missingEventTime)
        #expect(RawRecords.refusal(try RawRecords.mail(.alert, #"{"id":"a1","title":"x"}"#)) == .missingEventTime)
        #expect(
            RawRecords.refusal(try RawRecords.mail(.riskyUser, #"{"id":"u1"}"#, change: .updated)) == .missingEventTime)
    }

    @Test func aKeyWithoutASubjectFallsBackToTheSubjectTheCollectorWouldHaveUsed() throws {
        var input = try RawRecords.audit(RawRecords.cmdlet("Get-Mailbox", [], userId: "Bob@Contoso.com"))
        input.key = RawRecords.tenant
        #expect(try RawRecords.normalize(input).user == "bob@contoso.com")
    }
}
