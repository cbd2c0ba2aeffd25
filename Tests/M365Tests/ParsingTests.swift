import Foundation
import HTTP
import Testing

@testable import M365

@Suite("Parsing without a server")
struct ParsingTests {
    @Test("a JSON array is split into the exact bytes of its elements")
    func splitArray() throws {
        let text = #"  [ {"a":"x]},\"y"} , "str,ing" ,[1,[2]], 3.5e2,null,{"k":{"n":[]}} ]  "#
        let parts = try JSONArraySplitter.split(Data(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        #expect(parts == [#"{"a":"x]},\"y"}"#, #""str,ing""#, "[1,[2]]", "3.5e2", "null", #"{"k":{"n":[]}}"#])
        #expect(try JSONArraySplitter.split(Data("[]".utf8)).isEmpty)
        #expect(try JSONArraySplitter.split(Data("\u{FEFF}[1]".utf8)).count == 1)
        for broken in ["", "{}", "[1,", #"["abc]"#, "[1,,2]", "[1] x", "[}"] {
            #expect(throws: JSONArraySplitter.Failure.self, "\(broken)") {
                _ = try JSONArraySplitter.split(Data(broken.utf8))
            }
        }
    }

    @Test("a non-JSON error body is reported with its status and a snippet, never 'unknown error'")
    func nonJSONErrors() {
        let page = HTTPResponse(
            status: 502, headers: [], body: Data("<html><body>502 Bad Gateway\r\nnginx</body></html>".utf8))
        let management = ManagementActivityClient.error(from: page)
        #expect(management.code == .internalError)
        #expect(management.isRetriable)
        #expect(management.message.contains("HTTP 502"))
        #expect(management.message.contains("502 Bad Gateway"))
        #expect(!management.message.contains { $0.isNewline }, "one line: \(management.message)")
        let graph = GraphError.from(page)
        #expect(graph.code == .serviceError)
        #expect(graph.message.contains("HTTP 502") && graph.message.contains("Bad Gateway"))
        let empty = ManagementActivityClient.error(from: HTTPResponse(status: 400, headers: [], body: Data()))
        #expect(empty.message.contains("(empty body)"))
    }

    @Test("every AF code of the notes has a typed code with its retry advice")
    func afCodeTable() {
        let table: [(String, ManagementError.Code, Bool)] = [
            ("AF20022", .noSubscription, false), ("AF20023", .subscriptionDisabled, false),
            ("AF20030", .invalidWindow, false), ("AF20054", .invalidTimeFormat, false),
            ("AF20055", .windowTooOld, false), ("AF20031", .invalidNextPage, false),
            ("AF20050", .contentNotFound, false), ("AF20051", .contentExpired, false),
            ("AF429", .throttled, true), ("AF50000", .internalError, true), ("AF10001", .missingPermission, false),
        ]
        for (af, code, retriable) in table {
            let mapped = ManagementError.code(forAF: af, status: 400)
            #expect(mapped == code, "\(af)")
            #expect(mapped.isRetriable == retriable, "\(af)")
            #expect(!mapped.meaning.isEmpty)
        }
    }

    @Test("Entra error descriptions keep the AADSTS code and first line")
    func entraErrors() {
        let error = TokenError.fromEntra(
            status: 401, error: "invalid_client",
            description: "AADSTS7000222: The provided client secret keys for app 'x' are expired.\r\nTrace ID: t",
            codes: [])
        #expect(error.code == .expiredSecret)
        #expect(error.aadsts == 7_000_222)
        #expect(error.message == "AADSTS7000222: The provided client secret keys for app 'x' are expired.")
    }

    @Test("times go out in the formats the APIs read")
    func timeFormats() throws {
        let date = Date(timeIntervalSince1970: 1_795_132_800.9)
        #expect(M365Time.windowTime(date) == "2026-11-20T00:00:00")
        #expect(M365Time.odataTime(date) == "2026-11-20T00:00:00Z")
        #expect(M365Time.parseISO("2026-11-20T00:00:00") == Date(timeIntervalSince1970: 1_795_132_800))
        #expect(M365Time.parseISO("2026-11-20T01:00:00.500+01:00") == Date(timeIntervalSince1970: 1_795_132_800.5))
        #expect(M365Time.parseHTTPDate("Fri, 20 Nov 2026 00:00:00 GMT") == Date(timeIntervalSince1970: 1_795_132_800))
        #expect(
            URLPath.query([("$filter", "createdDateTime ge 2026-11-20T00:00:00Z")])
                == "?$filter=createdDateTime%20ge%202026-11-20T00:00:00Z")
        #expect(OriginCheck.isSameOrigin("https://manage.office.com/api/x?y", as: "https://MANAGE.office.com"))
        #expect(!OriginCheck.isSameOrigin("https://manage.office.com.evil.io/api", as: "https://manage.office.com"))
        #expect(!OriginCheck.isSameOrigin("http://manage.office.com/api", as: "https://manage.office.com"))
    }
}
