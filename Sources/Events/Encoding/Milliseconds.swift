public import Foundation

extension Date {
    /// Whole milliseconds since the epoch: the precision every Inboxwatch time is written with.
    public var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// The instant at whole milliseconds since the epoch, computed as `milliseconds / 1000`
    /// so that a time read back equals the time written.
    public init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
