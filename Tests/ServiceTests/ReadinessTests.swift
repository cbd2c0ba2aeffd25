import Service
import Testing

@Suite struct ReadinessTests {
    @Test func aProcessIsReadyOnlyWhenEveryRegisteredConditionIs() {
        let readiness = Readiness()
        #expect(readiness.report.isReady)
        readiness.register("a")
        readiness.register("b", reason: "waiting for the lease")
        #expect(!readiness.report.isReady)
        readiness.set("a", ready: true)
        #expect(readiness.report.notReady.map(\.name) == ["b"])
        #expect(readiness.report.notReady.first?.reason == "waiting for the lease")
        // Registering again keeps the state a component already set.
        readiness.register("a")
        readiness.set("b", ready: true)
        #expect(readiness.report.isReady)
    }
}
