import Collector
import Events
import Foundation
import M365
import Synchronization
import Testing

@Suite("An audit record's object id becomes its user's key")
struct UserDirectoryTests {
    struct Unreachable: Error {}

    @Test("an object id Graph knows is re-keyed to the UPN, asked once; other keys are left alone")
    func resolvesAndCaches() async {
        let asked = Mutex(0)
        let directory = UserDirectory(logger: .init(label: "test")) { id in
            asked.withLock { $0 += 1 }
            return id == "8f14e45f-ceea-467f-a0e6-b8d2b5a0d2c1" ? "Alice@Contoso.com" : nil
        }
        let byId = RecordKey(tenantID: "t1", user: "8F14E45F-CEEA-467F-A0E6-B8D2B5A0D2C1")
        #expect(await directory.resolve(byId).description == "t1/alice@contoso.com")
        #expect(await directory.resolve(byId).description == "t1/alice@contoso.com")
        #expect(asked.withLock { $0 } == 1)
        let unknown = RecordKey(tenantID: "t1", user: "00000000-0000-4000-8000-000000000000")
        #expect(await directory.resolve(unknown) == unknown)
        let named = RecordKey(tenantID: "t1", user: "bob@contoso.com")
        #expect(await directory.resolve(named) == named)
        #expect(asked.withLock { $0 } == 2, "a principal name is never looked up")
    }

    @Test("when Graph cannot be asked the record keeps its id: key, and the next record asks again")
    func failuresAreNotRemembered() async {
        let calls = Mutex(0)
        let directory = UserDirectory(logger: .init(label: "test")) { _ in
            let call = calls.withLock { value in
                value += 1
                return value
            }
            if call == 1 { throw Unreachable() }
            return "carol@contoso.com"
        }
        let key = RecordKey(tenantID: "t1", user: "5b1f0c2e-7a41-4c55-9d0e-3f2a1b4c5d6e")
        #expect(await directory.resolve(key).description == "t1/id:5b1f0c2e-7a41-4c55-9d0e-3f2a1b4c5d6e")
        #expect(await directory.resolve(key).description == "t1/carol@contoso.com")
    }
}

extension CollectorIntegration {
    @Suite("UserDirectory against the simulated tenant's Graph")
    struct UserDirectoryGraphTests {
        @Test("a user's object id resolves to their UPN over Graph; an id nobody has resolves to nothing")
        func resolvesOverGraph() async throws {
            let harness = try await CollectorHarness.start(
                now: CollectorHarness.worldStart.addingTimeInterval(7 * 3600))
            defer { Task { await harness.stop() } }
            let graph = harness.graphClient(tokens: harness.tokens(harness.tenant.apps.collector))
            let directory = UserDirectory(graph: graph, logger: harness.logger)
            let user = try #require(harness.tenant.world.directory.users.first)
            #expect(await directory.principalName(ofObjectID: user.id) == user.userPrincipalName.lowercased())
            #expect(await directory.principalName(ofObjectID: "00000000-0000-4000-8000-0000000000ff") == nil)
        }
    }
}
