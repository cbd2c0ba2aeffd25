/// Why one record of an export cannot be used, for the dead-letter topic.
///
/// Problems are per record: the reader reports them and reads on, so the rest of the file
/// still reaches the pipeline.
public struct IngestProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable name to group dead letters by (`DeadLetterRecord.errorClass`). Extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// A CSV row with more or fewer fields than the header.
        public static let wrongFieldCount = Code(name: "wrongFieldCount")
        /// A quoted CSV field that is never closed (at the end of the file, or within the size limit).
        public static let unterminatedQuote = Code(name: "unterminatedQuote")
        /// A CSV row that breaks the quoting rules another way: text after a closing quote.
        public static let malformedRow = Code(name: "malformedRow")
        /// A CSV row whose `AuditData` cell is empty.
        public static let emptyAuditData = Code(name: "emptyAuditData")
        /// The record is JSON but not an object (an array, a string, a number).
        public static let notAnObject = Code(name: "notAnObject")
        /// The record is not valid JSON (or not valid UTF-8, or nested too deep).
        public static let malformedJSON = Code(name: "malformedJSON")
        /// The record, row or line is longer than the reader accepts.
        public static let tooLarge = Code(name: "tooLarge")
        /// The record has no `Id`, so it cannot be keyed or deduplicated.
        public static let missingId = Code(name: "missingId")
        /// A field the pipeline reads (`Id`, `CreationTime`, `UserType`, …) has the wrong type or format.
        public static let invalidField = Code(name: "invalidField")
        /// The file ends in the middle of a JSON array.
        public static let truncated = Code(name: "truncated")
    }

    /// What is wrong and where, for a person.
    public var reason: String
    public var code: Code

    public init(reason: String, code: Code) {
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(code): \(reason)" }
}
