import Foundation
import M365
import Testing

@testable import Collector

@Suite("Ingest: audit CreationTime")
struct AuditTimeTests {
    @Test("times without a zone are UTC; fractions, Z and offsets are read")
    func accepted() {
        let base = Date(timeIntervalSince1970: 1_581_347_593)  // 2020-02-10T15:13:13Z
        #expect(M365Time.parseISO("2020-02-10T15:13:13") == base)
        #expect(M365Time.parseISO("2020-02-10T15:13:13Z") == base)
        #expect(M365Time.parseISO("2020-02-10T15:13:13.0000000Z") == base)
        #expect(M365Time.parseISO("2020-02-10T16:13:13+01:00") == base)
        #expect(M365Time.parseISO("2020-02-10T10:43:13-04:30") == base)
        let fraction = M365Time.parseISO("2020-02-10T15:13:13.587")
        #expect(abs((fraction?.timeIntervalSince1970 ?? 0) - 1_581_347_593.587) < 1e-6)
        #expect(M365Time.parseISO("1970-01-01T00:00:00") == Date(timeIntervalSince1970: 0))
        #expect(M365Time.parseISO("2024-02-29T00:00:00") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(M365Time.parseISO("1969-12-31T23:59:59Z") == Date(timeIntervalSince1970: -1))
    }

    @Test("anything else is refused rather than guessed")
    func refused() {
        for text in [
            "", "yesterday", "2020-02-10", "2020-02-10 15:13:13", "2020-02-10T15:13", "2020-13-01T00:00:00",
            "2023-02-29T00:00:00", "2020-02-30T25:61:00", "2020-02-10T24:00:00", "2020-02-10T15:13:60",
            "2020-02-10T15:13:13.", "2020-02-10T15:13:13ZZ", "2020-02-10T15:13:13+0100", "20-02-10T15:13:13",
            "2020-02-10T15:13:13 ", "３０２０-02-10T15:13:13",
        ] {
            #expect(M365Time.parseISO(text) == nil, "\(text)")
        }
    }
}
