public import Foundation

/// The `startTime`/`endTime` window of a content listing, checked by the
/// documented rules: both or neither, at most 24 hours apart, start at most 7 days back.
public struct ContentWindow: Sendable, Hashable {
    public var start: Date
    public var end: Date

    public struct Failure: Error, Sendable, Hashable {
        public var code: String
        public var message: String
    }

    public static let longest: TimeInterval = 24 * 3600
    public static let oldest: TimeInterval = 7 * 24 * 3600

    public static func parse(start: String?, end: String?, now: Date) -> Result<ContentWindow, Failure> {
        switch (start, end) {
        case (nil, nil):
            return .success(ContentWindow(start: now.addingTimeInterval(-longest), end: now))
        case (let start?, let end?):
            guard let startDate = SimTime.parseWindowTime(start), let endDate = SimTime.parseWindowTime(end) else {
                return .failure(
                    Failure(
                        code: "AF20054",
                        message:
                            "Invalid syntax for start time and end time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (UTC)."
                    ))
            }
            guard startDate < endDate, endDate.timeIntervalSince(startDate) <= longest else {
                return .failure(
                    Failure(
                        code: "AF20030",
                        message:
                            "Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past."
                    ))
            }
            guard startDate >= now.addingTimeInterval(-oldest) else {
                return .failure(Failure(code: "AF20055", message: "Start time cannot be more than 7 days in the past."))
            }
            return .success(ContentWindow(start: startDate, end: endDate))
        default:
            return .failure(
                Failure(
                    code: "AF20030",
                    message:
                        "Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past."
                ))
        }
    }
}
