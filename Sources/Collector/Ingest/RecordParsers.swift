/// Turns the bytes of one export format into ``IngestedRecord``s as they arrive.
protocol RecordParser: Sendable {
    mutating func append(_ chunk: ArraySlice<UInt8>)
    /// The next record, or nil when more bytes are needed (or, `atEnd`, when none are left).
    mutating func next(atEnd: Bool) -> IngestedRecord?
}

extension IngestedRecord {
    /// A problem record whose reason starts with its location, so the reason alone is enough
    /// in a dead letter or a log line.
    init(bytes: [UInt8], location: String, problem: IngestProblem) {
        self.init(
            bytes: bytes, location: location,
            outcome: .problem(IngestProblem(reason: "\(location): \(problem.reason)", code: problem.code)))
    }

    init(bytes: [UInt8], location: String, inspection: Result<AuditRecordFields, IngestProblem>) {
        switch inspection {
        case .success(let fields): self.init(bytes: bytes, location: location, outcome: .record(fields))
        case .failure(let problem): self.init(bytes: bytes, location: location, problem: problem)
        }
    }
}

/// CSV rows after the header: the `AuditData` cell of each is the record.
struct CSVRecordParser: RecordParser {
    var scanner: CSVScanner
    let header: AuditExportFormat.CSVHeader
    let inspector: AuditRecordInspector
    let path: String

    mutating func append(_ chunk: ArraySlice<UInt8>) { scanner.append(chunk) }

    mutating func next(atEnd: Bool) -> IngestedRecord? {
        while let row = scanner.next(atEnd: atEnd) {
            // The preamble (a `#TYPE` line, the header) was checked by detection; blank lines carry nothing.
            guard row.row > header.row, !row.isBlank else { continue }
            return record(from: row)
        }
        return nil
    }

    private func record(from row: CSVRow) -> IngestedRecord {
        let location = "\(path):row \(row.row)" + (row.line == row.row ? "" : " (line \(row.line))")
        if let problem = row.problem {
            return IngestedRecord(bytes: row.raw, location: location, problem: problem)
        }
        if let field = row.malformedField {
            return IngestedRecord(
                bytes: row.raw, location: location,
                problem: IngestProblem(
                    reason: "\(header.name(ofColumn: field)) has text after its closing quote; "
                        + "a quote inside a quoted field must be doubled (\"\")",
                    code: .malformedRow))
        }
        guard row.fields.count == header.columns.count else {
            return IngestedRecord(
                bytes: row.raw, location: location,
                problem: IngestProblem(
                    reason: "the row has \(row.fields.count) field\(row.fields.count == 1 ? "" : "s"), "
                        + "expected \(header.columns.count) as in the header (\(header.summary))",
                    code: .wrongFieldCount))
        }
        let auditData = row.field(header.auditDataColumn)
        guard auditData.contains(where: { !AuditRecordInspector.isWhitespace($0) }) else {
            return IngestedRecord(
                bytes: auditData, location: location,
                problem: IngestProblem(
                    reason: "\(header.name(ofColumn: header.auditDataColumn)) is empty", code: .emptyAuditData))
        }
        return IngestedRecord(
            bytes: auditData, location: location,
            inspection: inspector.inspect(auditData, what: header.columns[header.auditDataColumn]))
    }
}

/// One record per line.
struct JSONLinesRecordParser: RecordParser {
    var splitter: LineSplitter
    let inspector: AuditRecordInspector
    let path: String

    mutating func append(_ chunk: ArraySlice<UInt8>) { splitter.append(chunk) }

    mutating func next(atEnd: Bool) -> IngestedRecord? {
        guard let line = splitter.next(atEnd: atEnd) else { return nil }
        let location = "\(path):line \(line.line)"
        if let problem = line.problem {
            return IngestedRecord(bytes: line.bytes, location: location, problem: problem)
        }
        return IngestedRecord(
            bytes: line.bytes, location: location, inspection: inspector.inspect(line.bytes, what: "the line"))
    }
}

/// The elements of one or more JSON arrays.
struct JSONArrayRecordParser: RecordParser {
    var splitter: ArrayElementSplitter
    let inspector: AuditRecordInspector
    let path: String

    mutating func append(_ chunk: ArraySlice<UInt8>) { splitter.append(chunk) }

    mutating func next(atEnd: Bool) -> IngestedRecord? {
        guard let element = splitter.next(atEnd: atEnd) else { return nil }
        let location = "\(path):element \(element.index) (line \(element.line))"
        if let problem = element.problem {
            return IngestedRecord(bytes: element.bytes, location: location, problem: problem)
        }
        return IngestedRecord(
            bytes: element.bytes, location: location,
            inspection: inspector.inspect(element.bytes, what: "the element"))
    }
}
