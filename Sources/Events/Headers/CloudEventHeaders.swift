public import Foundation
public import Kafka

/// CloudEvents binary-mode headers on every Inboxwatch record, so downstream
/// pipelines can route and deduplicate without parsing the body.
///
/// `id` is deterministic: a raw record carries Microsoft's own record or
/// resource id; a derived event carries a hash of its inputs. Consumers drop an
/// id they have already applied.
public struct CloudEventHeaders: Sendable, Hashable {
    public static let specVersion = "1.0"

    public var id: String
    /// Who produced the event, as a URI reference (`/inboxwatch/collector/audit/{tenant}`).
    public var source: String
    /// Reverse-DNS event type (`com.inboxwatch.raw.audit`, `com.inboxwatch.story.opened`).
    public var type: String
    /// When the event happened (event time, not when it was written).
    public var time: Date
    public var contentType: String

    public init(id: String, source: String, type: String, time: Date, contentType: String = "application/json") {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.contentType = contentType
    }

    /// The Kafka headers, in a fixed order, with `ce_time` in RFC 3339 UTC with milliseconds.
    public var kafkaHeaders: [KafkaHeader] {
        [
            KafkaHeader(key: "ce_specversion", string: Self.specVersion),
            KafkaHeader(key: "ce_id", string: id),
            KafkaHeader(key: "ce_source", string: source),
            KafkaHeader(key: "ce_type", string: type),
            KafkaHeader(key: "ce_time", string: Self.format(time)),
            KafkaHeader(key: "content-type", string: contentType),
        ]
    }

    /// Reads the headers of a record; every CloudEvents attribute must be present.
    public init(kafkaHeaders headers: [KafkaHeader]) throws(EventDecodingError) {
        func value(_ key: String) throws(EventDecodingError) -> String {
            guard let text = headers.last(named: key)?.stringValue, !text.isEmpty else {
                throw EventDecodingError(code: .missingHeader, message: "header \(key) is missing or empty")
            }
            return text
        }
        let version = try value("ce_specversion")
        guard version == Self.specVersion else {
            throw EventDecodingError(
                code: .unsupportedVersion, message: "ce_specversion \(version); only \(Self.specVersion) is understood")
        }
        let timeText = try value("ce_time")
        guard let time = Self.parse(timeText) else {
            throw EventDecodingError(code: .invalidValue, message: "ce_time \(timeText) is not an RFC 3339 time")
        }
        self.init(
            id: try value("ce_id"), source: try value("ce_source"), type: try value("ce_type"), time: time,
            contentType: headers.last(named: "content-type")?.stringValue ?? "application/json")
    }

    /// Milliseconds are rounded, not truncated, so that the same instant always
    /// gives the same text whatever binary fraction the Date holds.
    static func format(_ date: Date) -> String {
        let millis = date.millisecondsSince1970
        let fraction = (millis % 1000 + 1000) % 1000
        let whole = Date(millisecondsSince1970: millis - fraction)
            .formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
        return "\(whole.dropLast()).\(String(fraction + 1000).dropFirst())Z"
    }

    /// Parses RFC 3339 with or without fractional seconds. The result is on a whole
    /// millisecond, computed as `milliseconds / 1000`, so that a time written by
    /// `format` reads back as exactly the same `Date`.
    static func parse(_ text: String) -> Date? {
        // What we write (`…T10:15:30.123Z`) is read without Foundation's formatter, which was a
        // twentieth of the correlator's time; other offsets and forms take the general path.
        if text.utf8.last == UInt8(ascii: "Z"), let date = MicrosoftTime.parse(text) {
            return Date(millisecondsSince1970: date.millisecondsSince1970)
        }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let without = Date.ISO8601FormatStyle()
        guard let date = (try? withFraction.parse(text)) ?? (try? without.parse(text)) else { return nil }
        return Date(millisecondsSince1970: date.millisecondsSince1970)
    }
}
