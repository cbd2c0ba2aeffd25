import Service
import Testing

@Suite struct ServiceModuleTests {
    @Test func theModuleLinks() { _ = InboxwatchService.self }
}
