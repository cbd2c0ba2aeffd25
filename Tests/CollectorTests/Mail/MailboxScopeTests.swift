import Collector
import Events
import M365
import Testing

@Suite("Mailbox scope")
struct MailboxScopeTests {
    func users(_ names: [String]) -> [GraphItem] {
        names.map { GraphItem(raw: .object(["id": .string($0), "userPrincipalName": .string($0)])) }
    }

    @Test("only users of the configured domains are in scope, and never the report mailbox")
    func onlyConfiguredDomainsAreInScope() {
        let scope = MailboxScope(domains: ["Contoso.com", "@fabrikam.com"], excluding: ["PhishReports@contoso.com"])
        let mailboxes = scope.mailboxes(
            in: users([
                "Bob@contoso.com", "alice@contoso.com", "carol@contoso-labs.com", "dan@fabrikam.com",
                "phishreports@contoso.com", "eve@sub.contoso.com", "alice@contoso.com",
            ]))
        #expect(mailboxes == ["alice@contoso.com", "bob@contoso.com", "dan@fabrikam.com"])
    }

    @Test("no domain means no mailbox")
    func noDomainNoMailbox() {
        let scope = MailboxScope(domains: [])
        #expect(scope.isEmpty)
        #expect(scope.mailboxes(in: users(["alice@contoso.com"])).isEmpty)
    }

    @Test("a group in scope is refused with a clear error until groups are supported, as is a non-domain")
    func groupsAndBadDomainsAreRefused() {
        let problems = MailboxScope(domains: ["contoso"], groups: ["finance-team"]).problems()
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasPrefix("mailGroups:") && $0.contains("not supported") })
        #expect(problems.contains { $0.contains("'contoso'") })
    }
}
