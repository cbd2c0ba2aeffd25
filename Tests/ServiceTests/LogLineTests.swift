import Foundation
import Logging
import Testing

@testable import Service

@Suite struct LogLineTests {
    static let hostile =
        "first\r\nlevel=critical message=\"forged\"\t\u{07}\u{1B}[31m\u{7F}\u{85}\u{2028}end é 日本 🔥 \\ \""

    func line(_ message: String = "hello", metadata: Logger.Metadata = [:]) -> LogLine {
        LogLine(
            time: "2026-01-02T03:04:05.678Z", level: .warning, component: "inboxwatch.correlator", message: message,
            metadata: metadata)
    }

    func parse(_ json: String) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try #require(object as? [String: String])
    }

    @Test func aJSONLineIsOneObjectOfStringsThatRoundTripsControlCharactersAndUnicode() throws {
        let rendered = line(Self.hostile, metadata: ["subject": "\(Self.hostile)", "tenantId": "contoso"]).json
        #expect(!rendered.contains("\n") && !rendered.contains("\r"))
        #expect(!rendered.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(!rendered.unicodeScalars.contains { $0.value == 0x2028 })
        let object = try parse(rendered)
        #expect(object["message"] == Self.hostile)
        #expect(object["subject"] == Self.hostile)
        #expect(object["tenantId"] == "contoso")
        #expect(object["level"] == "warning")
        #expect(object["component"] == "inboxwatch.correlator")
        #expect(object["time"] == "2026-01-02T03:04:05.678Z")
        #expect(rendered.contains("日本 🔥"))
    }

    @Test func aLogfmtLineQuotesAndEscapesSoDataCannotForgeFields() {
        let rendered = line(Self.hostile, metadata: ["storyId": "s-1", "subject": "\(Self.hostile)"]).logfmt
        #expect(!rendered.contains("\n") && !rendered.contains("\r") && !rendered.contains("\t"))
        #expect(rendered.hasPrefix("time=2026-01-02T03:04:05.678Z level=warning component=inboxwatch.correlator "))
        #expect(
            rendered.contains(
                #"message="first\r\nlevel=critical message=\"forged\"\t\u0007\u001b[31m\u007f\u0085\u2028end"#))
        #expect(rendered.contains(" storyId=s-1"))
        // Only the fields we wrote start a key: the forged `level=critical` sits inside quotes.
        #expect(rendered.components(separatedBy: " level=").count == 2)
    }

    @Test func theTextFormatEscapesTheMessageToo() {
        let rendered = line("two\nlines", metadata: ["commandId": "c 1"]).text
        #expect(rendered == #"2026-01-02T03:04:05.678Z warning  inboxwatch.correlator: two\nlines commandId="c 1""#)
    }

    @Test func metadataIsFlattenedIntoStringFieldsAndNeverHidesTheFixedOnes() throws {
        let object = try parse(
            line(metadata: [
                "graph": ["status": "429", "retry": ["after": "5"]], "partitions": ["1", "2"], "message": "clash",
                "attempt": .stringConvertible(3),
            ]).json)
        #expect(object["graph.status"] == "429")
        #expect(object["graph.retry.after"] == "5")
        #expect(object["partitions"] == #"["1", "2"]"#)
        #expect(object["attempt"] == "3")
        #expect(object["message"] == "hello")
        #expect(object["metadata.message"] == "clash")
    }

    @Test func secretKeysAreRedactedWhateverTheirSpelling() throws {
        let object = try parse(
            line(metadata: [
                "client_secret": "s3cr3t", "password": "hunter2", "accessToken": "eyJ", "Authorization": "Bearer x",
                "X-Api-Key": "k", "sasl": ["password": "p", "username": "svc"], "refresh": ["token": ["value": "t"]],
                "tenantId": "contoso",
            ]).json)
        for key in ["client_secret", "password", "accessToken", "Authorization", "X-Api-Key", "sasl.password"] {
            #expect(object[key] == "<redacted>", "\(key)")
        }
        #expect(object["refresh.token"] == "<redacted>")
        #expect(object["sasl.username"] == "svc")
        #expect(object["tenantId"] == "contoso")
        let all = line(metadata: ["token": "eyJhbGciOi"]).logfmt + line(metadata: ["token": "eyJhbGciOi"]).text
        #expect(!all.contains("eyJhbGciOi"))
    }

    @Test func timesAreRFC3339InUTCWithMilliseconds() {
        #expect(LogTime.format(seconds: 0, milliseconds: 7) == "1970-01-01T00:00:00.007Z")
        #expect(LogTime.format(seconds: 1_767_323_045, milliseconds: 678) == "2026-01-02T03:04:05.678Z")
        let now = LogTime.now()
        #expect(now.count == 24 && now.hasSuffix("Z"))
    }
}
