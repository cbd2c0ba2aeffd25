import Events
import Foundation
import Testing

/// The bounded decoder reads JSON with its own parser; it must read what JSONDecoder read.
@Suite("JSON parser")
struct JSONParserTests {
    let decoder = BoundedJSONDecoder()

    func parse(_ text: String) throws -> JSONValue {
        try decoder.decode(JSONValue.self, from: Array(text.utf8))
    }

    /// What Foundation's JSONDecoder makes of the same text.
    func foundation(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
        #"[1, -2, 3.5, -0.25, 1e2, 1.0, 12345678901234, 1.5e-3, 0]"#,
        #""esc\"apes \\ \/ \b\f\n\r\t \u00e9 \u20AC \ud83d\ude00""#,
        #"{"Parameters":[{"Name":"ForwardTo","Value":"smtp:a@b.example"}],"UserType":"0","ClientIP":"[2001:db8::1]:443"}"#,
        "  {\n\t\"spaced\" : [ ] , \"empty\" : { } }  ",
        #""plain ascii and ünïcödé""#,
    ])
    func readsWhatFoundationReads(text: String) throws {
        #expect(try parse(text) == (try foundation(text)))
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":}"#, #"{"a" 1}"#, "tru", "nul", "01x", "-", "1.", "1e", #""\x""#, #""\ud83d""#,
        #""\ude00""#, "\"unterminated", "{} {}", "[1 2]", "\"tab\tinside\"",
    ])
    func refusesWhatIsNotJSON(text: String) {
        let error = #expect(throws: EventDecodingError.self) { try parse(text) }
        #expect(error?.code == .malformedJSON || error?.code == .invalidUTF8, "\(text)")
    }

    @Test("wrong types and missing fields name their path, as before")
    func decodingErrorsKeepTheirPaths() {
        struct Inner: Decodable { var count: Int }
        struct Outer: Decodable { var items: [Inner] }
        let wrong = #expect(throws: EventDecodingError.self) {
            try decoder.decode(Outer.self, from: Array(#"{"items":[{"count":1},{"count":"two"}]}"#.utf8))
        }
        #expect(wrong?.code == .wrongType)
        #expect(wrong?.path == "items[1].count")
        let missing = #expect(throws: EventDecodingError.self) {
            try decoder.decode(Outer.self, from: Array(#"{"items":[{}]}"#.utf8))
        }
        #expect(missing?.code == .missingField)
        #expect(missing?.path == "items[0].count")
        let tooBig = #expect(throws: EventDecodingError.self) {
            try decoder.decode(Inner.self, from: Array(#"{"count":1e300}"#.utf8))
        }
        #expect(tooBig?.code == .invalidValue)
    }
}

/// Values turned straight into a tree must read back as themselves, as through JSON text.
@Suite("JSON value encoder")
struct JSONValueEncoderTests {
    @Test("a tree built from a value decodes back to the value, dates at full precision")
    func treesRoundTrip() throws {
        var generator = SampleGenerator(seed: 42)
        for _ in 0..<40 {
            var event = Samples.storyEvent(&generator)
            event.occurredAt = Date(timeIntervalSinceReferenceDate: 812_345_678.123_456_7)
            let tree = try JSONValueEncoder.encode(event)
            let back = try JSONDecoder().decode(StoryEvent.self, from: try JSONEncoder().encode(tree))
            #expect(back == event)
            // The same tree as writing JSON text and reading it back gives, up to how integral
            // numbers are held.
            let sorted = JSONEncoder()
            sorted.outputFormatting = [.sortedKeys]
            let viaText = try JSONDecoder().decode(JSONValue.self, from: try sorted.encode(event))
            #expect(try sorted.encode(tree) == (try sorted.encode(viaText)))
        }
    }
}
