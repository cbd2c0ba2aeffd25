import Foundation
import Testing

@testable import Collector

@Suite("Ingest: progress")
struct IngestProgressTests {
    @Test("rate and time left come from the injected clock and the bytes read")
    func rateAndETA() {
        let start = ManualInstant(offset: .seconds(100))
        var progress = IngestProgress(totalBytes: 3_000_000_000, startedAt: start)
        #expect(progress.bytesPerSecond == nil)
        #expect(progress.estimatedTimeRemaining == nil)
        #expect(progress.line == "0 B of 3.0 GB (0%), 0 records (0 problems)")

        let good = IngestedRecord(bytes: [], location: "x", outcome: .record(AuditRecordFields(recordId: "a")))
        let bad = IngestedRecord(
            bytes: [], location: "x", outcome: .problem(IngestProblem(reason: "r", code: .missingId)))
        for index in 1...999 { progress.count(good, bytesRead: Int64(index) * 1000, at: start) }
        progress.count(bad, bytesRead: 1_000_000_000, at: start.advanced(by: .seconds(20)))

        #expect(progress.records == 1000)
        #expect(progress.problems == 1)
        #expect(progress.elapsed == .seconds(20))
        #expect(progress.bytesPerSecond == 50_000_000)
        #expect(progress.recordsPerSecond == 50)
        #expect(progress.fractionDone == 1.0 / 3)
        #expect(progress.estimatedTimeRemaining == .seconds(40))
        #expect(
            progress.line == "1.0 GB of 3.0 GB (33%), 1000 records (1 problem), 50.0 MB/s, 50 records/s, 0:40 left")
    }

    @Test("without a total there is no fraction or time left; time and bytes never go backwards")
    func unknownTotal() {
        let start = ManualInstant(offset: .zero)
        var progress = IngestProgress(totalBytes: nil, startedAt: start)
        progress.update(bytesRead: 1500, at: start.advanced(by: .seconds(3)))
        progress.update(bytesRead: 1000, at: start.advanced(by: .seconds(1)))
        #expect(progress.bytesRead == 1500)
        #expect(progress.elapsed == .seconds(3))
        #expect(progress.fractionDone == nil)
        #expect(progress.estimatedTimeRemaining == nil)
        #expect(progress.line == "1.5 kB, 0 records (0 problems), 500 B/s, 0 records/s")
    }

    @Test("sizes and durations are formatted without a locale")
    func formatting() {
        typealias Progress = IngestProgress<ManualInstant>
        #expect(Progress.bytes(999) == "999 B")
        #expect(Progress.bytes(12_345_678) == "12.3 MB")
        #expect(Progress.bytes(4_200_000_000_000_000) == "4200.0 TB")
        #expect(Progress.clock(.seconds(7)) == "0:07")
        #expect(Progress.clock(.seconds(754)) == "12:34")
        #expect(Progress.clock(.seconds(3723)) == "1:02:03")
    }
}
