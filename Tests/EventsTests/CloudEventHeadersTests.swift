import Events
import Foundation
import Kafka
import Testing

@Suite("CloudEvents headers")
struct CloudEventHeadersTests {
    let event = CloudEventHeaders(
        id: "5c2e1f0a-0000-4000-8000-000000000001", source: "/inboxwatch/collector/audit/contoso",
        type: "com.inboxwatch.raw.audit", time: Date(timeIntervalSince1970: 1_700_000_000.123))

    @Test("headers round-trip, in a fixed order, with ce_time in UTC")
    func roundTrip() throws {
        let headers = event.kafkaHeaders
        #expect(headers.map(\.key) == ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"])
        #expect(headers.last(named: "ce_time")?.stringValue == "2023-11-14T22:13:20.123Z")
        let decoded = try CloudEventHeaders(kafkaHeaders: headers)
        #expect(decoded.id == event.id)
        #expect(decoded.type == event.type)
        #expect(abs(decoded.time.timeIntervalSince(event.time)) < 0.001)
        #expect(event.kafkaHeaders == event.kafkaHeaders, "deterministic")
    }

    @Test("a missing attribute or an unknown spec version is a typed error")
    func missingOrUnknown() {
        let withoutID = event.kafkaHeaders.filter { $0.key != "ce_id" }
        #expect(throws: EventDecodingError.self) { try CloudEventHeaders(kafkaHeaders: withoutID) }
        let future = event.kafkaHeaders.map {
            $0.key == "ce_specversion" ? KafkaHeader(key: $0.key, string: "2.0") : $0
        }
        do {
            _ = try CloudEventHeaders(kafkaHeaders: future)
            Issue.record("accepted spec version 2.0")
        } catch {
            #expect(error.code == .unsupportedVersion)
        }
    }
}
