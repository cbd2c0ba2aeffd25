/// One record read from an export: its exact bytes, where it was found, and either the fields
/// the pipeline needs or the reason it cannot be used.
public struct IngestedRecord: Sendable, Hashable {
    /// A usable record, or why not.
    public enum Outcome: Sendable, Hashable {
        case record(AuditRecordFields)
        case problem(IngestProblem)
    }

    /// The record JSON exactly as in the file (for CSV, the `AuditData` cell with the CSV quoting
    /// undone). For a row that could not be split into fields, the row's own bytes, so a dead
    /// letter always carries what the file said.
    public var bytes: [UInt8]
    /// The file and position, for people: `export.csv:row 17`, `records.jsonl:line 3`,
    /// `blob.json:element 4 (line 12)`. CSV rows count as a spreadsheet does (the header is row 1);
    /// when a row does not start on the line of the same number, the line is added: `row 17 (line 20)`.
    public var location: String
    public var outcome: Outcome

    public init(bytes: [UInt8], location: String, outcome: Outcome) {
        self.bytes = bytes
        self.location = location
        self.outcome = outcome
    }

    /// The record's fields, when it is usable.
    public var fields: AuditRecordFields? {
        if case .record(let fields) = outcome { fields } else { nil }
    }

    /// Why the record cannot be used, when it cannot.
    public var problem: IngestProblem? {
        if case .problem(let problem) = outcome { problem } else { nil }
    }
}
