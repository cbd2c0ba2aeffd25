import Events
import Testing

@Suite("Record keys")
struct RecordKeyTests {
    @Test("a user principal name is lower-cased and trimmed, smtp: prefixes dropped")
    func principalNames() {
        #expect(
            RecordKey(tenantID: " Contoso-Tenant ", user: "  Alice@Contoso.COM ").description
                == "contoso-tenant/alice@contoso.com")
        #expect(RecordKey(tenantID: "t", user: "SMTP:Bob@contoso.com").description == "t/bob@contoso.com")
        #expect(RecordKey(tenantID: "t", user: "bob@contoso.com").bytes == Array("t/bob@contoso.com".utf8))
    }

    @Test("records that name no user, a system actor, an app or only an object id are kept apart")
    func otherSubjects() {
        #expect(RecordKey(tenantID: "t", user: "Not Available").description == "t/~unattributed")
        #expect(RecordKey(tenantID: "t", user: nil).description == "t/~unattributed")
        #expect(RecordKey(tenantID: "t", user: " smtp: ").description == "t/~unattributed")
        #expect(
            RecordKey(tenantID: "t", user: "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)").description
                == "t/~system")
        #expect(RecordKey(tenantID: "t", user: "someone@contoso.com", userType: 4).description == "t/~system")
        #expect(
            RecordKey(tenantID: "t", user: "9E2B4F1A-1111-2222-3333-444455556666").description
                == "t/id:9e2b4f1a-1111-2222-3333-444455556666")
        #expect(RecordKey(tenantID: "t", user: "a1b2", userType: 5).description == "t/app:a1b2")
    }

    @Test("the same user written differently gets the same key")
    func sameUserSameKey() {
        let spellings = ["alice@contoso.com", "ALICE@CONTOSO.COM", " alice@contoso.com\n", "smtp:Alice@contoso.com"]
        #expect(Set(spellings.map { RecordKey(tenantID: "T", user: $0) }).count == 1)
    }
}

@Suite("Other topic keys")
struct TopicKeysTests {
    @Test("checkpoints are keyed tenant/source and outcomes by command id, normalized")
    func checkpointAndOutcomeKeys() {
        #expect(TopicKeys.checkpoint(tenantID: " T1 ", source: "audit/Audit.Exchange") == "t1/audit/audit.exchange")
        #expect(TopicKeys.outcome(commandID: " CMD-1 ") == "cmd-1")
    }
}
