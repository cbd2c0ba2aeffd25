import Events
import Foundation
import Testing

@testable import Correlation

/// The small readers every kind shares: times, addresses, folders, PowerShell parameters.
struct SourceFormTests {
    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"), ("1.2.3.4:5678", "1.2.3.4"), ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"), ("::FFFF:10.0.0.9", "10.0.0.9"),
        ("2001:DB8:0:0:8:800:200C:417A", "2001:db8:0:0:8:800:200c:417a"),
        ("[fe80::1%eth0]", "fe80::1"), ("  198.51.100.20 ", "198.51.100.20"),
    ])
    func clientAddressesLoseTheirPortsBracketsAndMapping(raw: String, expected: String) {
        #expect(Normalizer.IPAddress.normalize(raw) == expected)
    }

    @Test(arguments: ["", "<unknown>", "1.2.3", "300.1.1.1", "not:an:address:at:all:really:no:x:y"])
    func textThatIsNoAddressGivesNoAddress(raw: String) {
        #expect(Normalizer.IPAddress.normalize(raw) == nil)
    }

    @Test func auditTimesWithoutAZoneAreUTCWithOrWithoutFractions() throws {
        let base = Date(timeIntervalSince1970: 1_795_136_523)
        #expect(MicrosoftTime.parse("2026-11-20T01:02:03") == base)
        #expect(MicrosoftTime.parse("2026-11-20T01:02:03Z") == base)
        #expect(MicrosoftTime.parse("2026-11-20T01:02:03.5") == Date(timeIntervalSince1970: 1_795_136_523.5))
        let graph = try #require(MicrosoftTime.parse("2026-11-20T01:02:03.1234567Z"))
        #expect(abs(graph.timeIntervalSince1970 - 1_795_136_523.1234567) < 1e-6)
        #expect(MicrosoftTime.parse("2026-11-20T02:02:03+01:00") == base)
    }

    // The collector refused these already (the same parser); the correlator never guesses either.
    @Test(arguments: [
        "", "20/11/2026", "2026-02-30T00:00:00", "2026-11-20T25:00:00", "2026-11-20T01:02:03 junk",
        "2026-11-20", "2026-11-20 01:02:03",
    ])
    func textThatIsNoTimeGivesNoTime(raw: String) {
        #expect(MicrosoftTime.parse(raw) == nil)
    }

    @Test func addressListsAreSplitStrippedAndLowerCased() {
        #expect(
            Normalizer.AddressList.parse("smtp:Eve@Evil.example; SMTP:mallory@evil.example,bob@contoso.com")
                == ["eve@evil.example", "mallory@evil.example", "bob@contoso.com"])
        #expect(Normalizer.AddressList.parse(#""Smith, Bob" <Bob@X.com>"#) == ["bob@x.com"])
        #expect(Normalizer.AddressList.parse(#""eve@evil.example" [SMTP:Eve@Evil.example]"#) == ["eve@evil.example"])
        #expect(
            Normalizer.AddressList.parse("\"Bob\" [EX:/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=Bob]")
                == ["ex:/o=exchangelabs/ou=exchange/cn=recipients/cn=bob"])
        #expect(Normalizer.AddressList.parse(#"["a@x.com","b@y.com"]"#) == ["a@x.com", "b@y.com"])
        #expect(Normalizer.AddressList.parse("$null").isEmpty)
        #expect(Normalizer.AddressList.parse("a@x.com;a@x.com; ").count == 1)
    }

    @Test(arguments: [
        ("\\RSS Feeds", "rssfeeds"), ("RSS Feeds", "rssfeeds"), ("alice@contoso.com:\\RSS Subscriptions", "rssfeeds"),
        (":\\Archive", "archive"), ("Junk Email", "junkemail"), ("Junk E-mail", "junkemail"),
        ("\\Deleted Items", "deleteditems"), ("Conversation History", "conversationhistory"), ("rssfeeds", "rssfeeds"),
        ("\\Inbox\\Newsletters", "Inbox\\Newsletters"),
        ("AQMkADAwATM0MDAAMS1hZmQ0LTk3AC4AAAM", "AQMkADAwATM0MDAAMS1hZmQ0LTk3AC4AAAM"),
    ])
    func foldersReadAsTheirWellKnownNames(raw: String, expected: String) {
        #expect(Normalizer.FolderName.normalize(raw) == expected)
    }

    @Test func powerShellParametersKeepQuotesListsSwitchesAndLiterals() {
        let parsed = Normalizer.PowerShellArguments.parse(
            #"New-InboxRule -Name 'It''s "x"' -ForwardTo "a@b.com","c@d.com" -DeliverToMailboxAndForward $false "#
                + #"-StopProcessingRules -MoveToFolder:"alice:\RSS Feeds" -ForwardingSmtpAddress $null -Priority -1 "#
                + #"-From @("x@y.com", 'z@w.com') -Comment Two words"#)
        let values = Dictionary(parsed.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(values["Name"] == #"It's "x""#)
        #expect(values["ForwardTo"] == "a@b.com;c@d.com")
        #expect(values["DeliverToMailboxAndForward"] == "False")
        #expect(values["StopProcessingRules"] == "True")
        #expect(values["MoveToFolder"] == #"alice:\RSS Feeds"#)
        #expect(values["ForwardingSmtpAddress"] == "")
        #expect(values["Priority"] == "-1")
        #expect(values["From"] == "x@y.com;z@w.com")
        #expect(values["Comment"] == "Two words")
    }

    @Test func keyValueTextKeepsSemicolonsInsideValues() throws {
        let pairs = try #require(
            Normalizer.ParameterList.keyValuePairs(
                "ResultStatusDetail=Success; UserAgent=Mozilla/5.0 (Windows NT 10.0; Win64; x64); RequestType=OAuth2:Token"
            ))
        #expect(pairs.map(\.0) == ["ResultStatusDetail", "UserAgent", "RequestType"])
        #expect(pairs[1].1 == "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
    }

    @Test func systemProcessesAndApplicationsAreNotUsers() {
        typealias Kind = Normalizer.ActorKind
        #expect(Kind.classify(userType: 0, userId: "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)") == .system)
        #expect(Kind.classify(userType: 3, userId: "someone") == .system)
        #expect(Kind.classify(userType: 4, userId: "ThreatIntelligence") == .system)
        #expect(Kind.classify(userType: 5, userId: "app") == .application)
        #expect(Kind.classify(userType: 6, userId: "sp") == .application)
        #expect(Kind.classify(userType: 2, userId: "admin@contoso.com") == .admin)
        #expect(Kind.classify(userType: 0, userId: "alice@contoso.com") == .user)
        #expect(Kind.classify(userType: nil, userId: "Not Available") == .unknown)
    }
}
