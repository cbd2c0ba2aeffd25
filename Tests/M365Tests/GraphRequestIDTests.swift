import Foundation
import M365
import Testing

@Suite("GraphRequestID")
struct GraphRequestIDTests {
    @Test("a command id always gives the same name-based GUID, pinned so stored ids stay valid")
    func pinnedValues() {
        // SHA-256 of the UTF-8, first 16 bytes, version 5 and RFC 4122 variant bits (checked with Python's hashlib).
        #expect(GraphRequestID.forCommand("cmd-1") == "f41e12c4-bef4-565a-82e5-47924d419fad")
        #expect(
            GraphRequestID.forCommand("tenant/user/story-42/disableAccount") == "2f928036-0bfb-5a79-9c51-2f05e6dadcf3")
        #expect(GraphRequestID.forCommand("") == "e3b0c442-98fc-5c14-9afb-f4c8996fb924")
    }

    @Test("the id is a lower-case RFC 4122 GUID, version 5, and differs between commands")
    func shape() {
        var seen: Set<String> = []
        for index in 0..<200 {
            let id = GraphRequestID.forCommand("command-\(index)")
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { $0 == "-" || ("0"..."9").contains($0) || ("a"..."f").contains($0) })
            #expect(groups[2].first == "5")
            #expect(groups[3].first.map { "89ab".contains($0) } == true)
            #expect(UUID(uuidString: id) != nil)
            seen.insert(id)
        }
        #expect(seen.count == 200)
    }
}
