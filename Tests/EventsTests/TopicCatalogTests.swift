import Events
import Kafka
import Testing

@Suite("Topic catalog")
struct TopicCatalogTests {
    @Test("keyed topics share one partition count so a user's data is co-partitioned")
    func keyedTopicsAreCoPartitioned() {
        let catalog = TopicCatalog(keyedPartitions: 12)
        let keyed = [catalog.rawAudit, catalog.rawMail, catalog.correlatorState, catalog.stories]
        let specs = Dictionary(uniqueKeysWithValues: catalog.specs.map { ($0.name, $0) })
        #expect(keyed.allSatisfy { specs[$0]?.partitions == 12 })
    }

    @Test("names follow the configured prefix and state topics are compacted")
    func prefixAndCleanupPolicies() {
        let catalog = TopicCatalog(prefix: "acme.iw")
        #expect(catalog.specs.count == 11)
        #expect(catalog.specs.allSatisfy { $0.name.hasPrefix("acme.iw.") })
        let specs = Dictionary(uniqueKeysWithValues: catalog.specs.map { ($0.name, $0) })
        #expect(specs[catalog.correlatorState]?.configs["cleanup.policy"] == "compact")
        #expect(specs[catalog.collectorCheckpoints]?.configs["cleanup.policy"] == "compact")
        #expect(specs[catalog.remediationOutcomes]?.configs["cleanup.policy"] == "compact")
        #expect(specs[catalog.storyVerdicts]?.configs["cleanup.policy"] == "compact")
        #expect(catalog.correlatorForwarding == "acme.iw.correlator.forwarding")
        #expect(specs[catalog.correlatorForwarding]?.configs["cleanup.policy"] == "compact")
        #expect(specs[catalog.correlatorForwarding]?.partitions == 3)
        #expect(specs[catalog.rawAudit]?.configs["cleanup.policy"] == "delete")
    }
}
