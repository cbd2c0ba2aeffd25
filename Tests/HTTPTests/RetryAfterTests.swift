import Foundation
import HTTP
import Testing

@Suite struct RetryAfterTests {
    static let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func secondsAreReadAsSeconds() {
        #expect(RetryAfter.parse("120", now: Self.now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: Self.now) == .zero)
    }

    @Test func httpDatesInAllThreeFormsCountFromNow() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: Self.now) == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:50:07 GMT", now: Self.now) == .seconds(30))
        #expect(RetryAfter.parse("Sun Nov  6 08:50:07 1994", now: Self.now) == .seconds(30))
    }

    @Test func aDateInThePastMeansNoWait() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: Self.now) == .zero)
    }

    @Test func fractionsOfASecondRoundUpSoTheWaitIsNeverEarly() {
        let now = Self.now.addingTimeInterval(0.25)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:38 GMT", now: now) == .milliseconds(750))
    }

    @Test func garbageIsNotAWait() {
        for value in ["", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT"] {
            #expect(RetryAfter.parse(value, now: Self.now) == nil, "\(value)")
        }
    }

    @Test func defaultClassifierRetriesThrottlingAfterRetryAfterAndOtherServerErrorsWithBackoff() {
        func response(_ status: Int, _ headers: [(name: String, value: String)] = []) -> HTTPResponse {
            HTTPResponse(status: status, headers: headers, body: Data())
        }
        #expect(HTTPClient.defaultClassifier(response(429, [("retry-after", "3")])) == .retry(after: .seconds(3)))
        #expect(HTTPClient.defaultClassifier(response(503, [("Retry-After", "1")])) == .retry(after: .seconds(1)))
        #expect(HTTPClient.defaultClassifier(response(429)) == .retry(after: nil))
        #expect(HTTPClient.defaultClassifier(response(500)) == .retry(after: nil))
        #expect(HTTPClient.defaultClassifier(response(504)) == .retry(after: nil))
        #expect(HTTPClient.defaultClassifier(response(501)) == .accept)
        #expect(HTTPClient.defaultClassifier(response(404)) == .accept)
        #expect(HTTPClient.defaultClassifier(response(200)) == .accept)
    }
}
