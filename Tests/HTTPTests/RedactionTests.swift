import HTTP
import Testing

@Suite struct RedactionTests {
    @Test func sensitiveQueryValuesAreRedactedAndOthersKept() {
        #expect(
            Redaction.url("https://x.example/cb?code=abc&state=42&Token=t0k&sig=s1g%3D")
                == "https://x.example/cb?code=REDACTED&state=42&Token=REDACTED&sig=REDACTED")
        #expect(
            Redaction.url(
                "https://manage.example/api/v1.0/t/activity/feed/subscriptions/content?contentType=Audit.General")
                == "https://manage.example/api/v1.0/t/activity/feed/subscriptions/content?contentType=Audit.General")
    }

    @Test func fragmentsAndUserInfoPasswordsAreRedacted() {
        #expect(
            Redaction.url("https://app.example/#access_token=eyJ&token_type=Bearer")
                == "https://app.example/#access_token=REDACTED&token_type=Bearer")
        #expect(
            Redaction.url("http://proxyuser:hunter2@proxy.example:3128/path?password=x")
                == "http://proxyuser:REDACTED@proxy.example:3128/path?password=REDACTED")
    }

    @Test func formBodiesLoseEverySecret() {
        let form =
            "grant_type=client_credentials&client_id=app&client_secret=s3cr3t%2B&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
            + "&client_assertion_type=urn%3Aietf&client_assertion=eyJhbGciOi&refresh_token=r&access_token=a&password=p"
        let redacted = Redaction.formBody(form)
        #expect(
            redacted
                == "grant_type=client_credentials&client_id=app&client_secret=REDACTED&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
                + "&client_assertion_type=urn%3Aietf&client_assertion=REDACTED&refresh_token=REDACTED"
                + "&access_token=REDACTED&password=REDACTED")
    }

    @Test func percentEncodedNamesAreRecognised() {
        #expect(Redaction.formBody("client%5Fsecret=x&a=b") == "client%5Fsecret=REDACTED&a=b")
    }

    @Test func authorizationHeadersKeepOnlyTheirScheme() {
        #expect(Redaction.header(name: "Authorization", value: "Bearer eyJ0eXAi.x.y") == "Bearer REDACTED")
        #expect(Redaction.header(name: "proxy-authorization", value: "Basic dXNlcjpwYXNz") == "Basic REDACTED")
        #expect(Redaction.header(name: "Cookie", value: "session=1") == "REDACTED")
        #expect(Redaction.header(name: "Content-Type", value: "application/json") == "application/json")
    }
}
