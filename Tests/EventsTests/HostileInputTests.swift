import Events
import Foundation
import Testing

@Suite("Decoding hostile input")
struct HostileInputTests {
    struct Sample: Codable, Equatable {
        var tenantId: String
        var count: Int
    }

    let decoder = BoundedJSONDecoder()

    func code(_ bytes: [UInt8], limits: JSONLimits = .standard) -> EventDecodingError.Code? {
        do {
            _ = try BoundedJSONDecoder(limits: limits).decode(Sample.self, from: bytes)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a well-formed value decodes")
    func wellFormedDecodes() throws {
        let sample = try decoder.decode(
            Sample.self, from: Array(#"{"tenantId":"t1","count":3,"extra":[1,{"a":"b"}]}"#.utf8))
        #expect(sample == Sample(tenantId: "t1", count: 3))
    }

    @Test("truncated JSON is reported as truncated")
    func truncatedJSON() {
        #expect(code(Array(#"{"tenantId":"t1","cou"#.utf8)) == .malformedJSON)
        #expect(code(Array(#"{"tenantId":"t1","count":3"#.utf8)) == .malformedJSON)
    }

    @Test("a 10 MB string is refused by size, and by string length when the size limit allows it")
    func tenMegabyteString() {
        let huge =
            Array(#"{"tenantId":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 10_000_000)
            + Array(#"","count":1}"#.utf8)
        #expect(code(huge) == .tooLarge)
        #expect(code(huge, limits: JSONLimits(maxBytes: 16 << 20)) == .stringTooLong)
    }

    @Test("nesting 10,000 levels deep is refused before any decoder recurses")
    func deepNesting() {
        let deep =
            [UInt8](repeating: UInt8(ascii: "["), count: 10_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 10_000)
        #expect(code(deep) == .tooDeep)
    }

    @Test("invalid UTF-8 is refused: stray bytes, overlongs, surrogates, cut sequences")
    func invalidUTF8() {
        let prefix = Array(#"{"tenantId":""#.utf8)
        let suffix = Array(#"","count":1}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80]] {
            #expect(code(prefix + bad + suffix) == .invalidUTF8, "\(bad)")
        }
        #expect(code(prefix + [0xE2, 0x82, 0xAC] + suffix) == nil, "a valid euro sign")
    }

    @Test("wrong types and missing fields name the field")
    func wrongTypesAndMissingFields() throws {
        do {
            _ = try decoder.decode(Sample.self, from: Array(#"{"tenantId":"t1","count":"three"}"#.utf8))
            Issue.record("decoded a string as a number")
        } catch {
            #expect(error.code == .wrongType)
            #expect(error.path == "count")
        }
        do {
            _ = try decoder.decode(Sample.self, from: Array(#"{"count":3}"#.utf8))
            Issue.record("decoded without a tenant")
        } catch {
            #expect(error.code == .missingField)
            #expect(error.path == "tenantId")
        }
    }
}

@Suite("Decoding hostile topic values")
struct HostileTopicValueTests {
    let decoder = BoundedJSONDecoder()

    func failure<T: TopicValue>(_ type: T.Type, _ json: String) -> EventDecodingError? {
        do {
            _ = try decoder.decodeValue(type, from: Array(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("a raw envelope without a tenant is refused, naming the field")
    func missingTenant() {
        let error = failure(
            RawAuditEnvelope.self,
            #"{"schemaVersion":"1.0","contentType":"Audit.Exchange","contentId":"c","recordId":"r","collectedAt":"2026-11-23T10:00:00.000Z","record":{}}"#
        )
        #expect(error?.code == .missingField)
        #expect(error?.path == "tenantId")
    }

    @Test("wrong types, bad enum values and bad times are refused, naming the field")
    func wrongTypes() {
        let base =
            #"{"schemaVersion":"1.0","commandId":"c","tenantId":"t","action":"deleteMessage","status":"succeeded","detail":"","attempts":1,"completedAt":"2026-11-23T10:00:00.000Z"}"#
        #expect(failure(RemediationOutcome.self, base) == nil)
        let wrongNumber = base.replacingOccurrences(of: #""attempts":1"#, with: #""attempts":"one""#)
        #expect(failure(RemediationOutcome.self, wrongNumber)?.path == "attempts")
        let badEnum = base.replacingOccurrences(of: #""succeeded""#, with: #""maybe""#)
        #expect(failure(RemediationOutcome.self, badEnum)?.path == "status")
        let badTime = base.replacingOccurrences(of: "2026-11-23T10:00:00.000Z", with: "yesterday")
        #expect(failure(RemediationOutcome.self, badTime)?.code == .invalidValue)
        let noVersion = base.replacingOccurrences(of: #""schemaVersion":"1.0","#, with: "")
        #expect(failure(RemediationOutcome.self, noVersion)?.code == .missingField)
        let future = base.replacingOccurrences(of: #""1.0""#, with: #""2.0""#)
        #expect(failure(RemediationOutcome.self, future)?.code == .unsupportedVersion)
    }

    @Test("a verbatim record nested 10,000 deep or truncated is refused before decoding")
    func hostileVerbatimRecord() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let json =
            #"{"schemaVersion":"1.0","tenantId":"t","contentType":"Audit.Exchange","contentId":"c","recordId":"r","collectedAt":"2026-11-23T10:00:00.000Z","record":"#
            + deep + "}"
        #expect(failure(RawAuditEnvelope.self, json)?.code == .tooDeep)
        #expect(failure(RawAuditEnvelope.self, String(json.prefix(60)))?.code == .malformedJSON)
    }
}
