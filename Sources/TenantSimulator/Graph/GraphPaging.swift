import Foundation

/// How a collection refuses a `$filter` it cannot evaluate.
struct FilterRefusal: Sendable {
    var status = 400
    var code: String
    var prefix: String

    func failure(_ detail: String) -> GraphFailure {
        GraphFailure(GraphError.response(status, code, prefix + detail))
    }

    /// Directory resources (`users`, `riskyUsers`).
    static let directory = FilterRefusal(code: "Request_UnsupportedQuery", prefix: "Unsupported Query. ")
    /// Reporting and security resources (`signIns`, `alerts_v2`, submissions).
    static let invalidClause = FilterRefusal(code: "BadRequest", prefix: "Invalid filter clause: ")
    /// Exchange resources (messages).
    static let outlook = FilterRefusal(
        code: "ErrorInvalidUrlQueryFilter", prefix: "The query filter contains one or more invalid nodes. ")
}

/// A `$filter` split into a time window (answered by binary search) and other
/// conditions (checked item by item).
struct SplitFilter {
    var bounds = TimeBounds.unbounded
    var predicates: [(Int) -> Bool] = []

    func matches(_ index: Int) -> Bool { predicates.allSatisfy { $0(index) } }

    /// - Parameters:
    ///   - timeProperties: properties compared with `bounds` (all hold the same time).
    ///   - condition: the check for another clause, or `nil` when the collection does not support it.
    static func parse(
        _ text: String, timeProperties: [String], refusal: FilterRefusal,
        condition: (GraphFilter.Clause) -> ((Int) -> Bool)?
    ) throws(GraphFailure) -> SplitFilter {
        var split = SplitFilter()
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return split }
        let filter: GraphFilter
        do {
            filter = try GraphFilter.parse(text)
        } catch {
            throw refusal.failure(error.message)
        }
        for clause in filter.clauses {
            if timeProperties.contains(where: clause.isProperty) {
                guard case .dateTime(let milliseconds) = clause.literal else {
                    throw refusal.failure(
                        "'\(clause.property)' must be compared with a DateTimeOffset such as 2024-01-01T00:00:00Z.")
                }
                guard split.bounds.apply(clause.op, milliseconds) else {
                    throw refusal.failure("operator '\(clause.op.rawValue)' is not supported on '\(clause.property)'.")
                }
            } else if let predicate = condition(clause) {
                split.predicates.append(predicate)
            } else {
                throw refusal.failure("filtering on '\(clause.property) \(clause.op.rawValue)' is not supported.")
            }
        }
        return split
    }

    /// A case-insensitive `eq` / `ne` on a string property.
    static func stringComparison(_ clause: GraphFilter.Clause, _ value: @escaping (Int) -> String) -> ((Int) -> Bool)? {
        guard case .string(let literal) = clause.literal, clause.op == .eq || clause.op == .ne else { return nil }
        let wanted = literal.lowercased()
        let equal = clause.op == .eq
        return { (value($0).lowercased() == wanted) == equal }
    }

    /// `eq` / `ne` on a Boolean property.
    static func boolComparison(_ clause: GraphFilter.Clause, _ value: @escaping (Int) -> Bool) -> ((Int) -> Bool)? {
        guard case .bool(let literal) = clause.literal, clause.op == .eq || clause.op == .ne else { return nil }
        let equal = clause.op == .eq
        return { (value($0) == literal) == equal }
    }
}

extension GraphAPI {
    struct Page {
        var indices: [Int]
        var nextLink: String?
    }

    /// A page of a time-ordered collection, newest first, as `signIns`, `alerts_v2` and
    /// submissions list. The `$skiptoken` holds the filter and the position in the
    /// time-ordered store, so it stays valid and walks the same items exactly once
    /// however many new items arrive meanwhile (they are all newer than the first page).
    func timePage(
        kind: String, column: TimeColumn, path: String, _ call: GraphCall, maxTop: Int, timeProperties: [String],
        refusal: FilterRefusal, condition: (GraphFilter.Clause) -> ((Int) -> Bool)?
    ) throws(GraphFailure) -> Page {
        let filterText: String
        let top: Int
        var cursor: Int?
        if let token = call.queryValue("$skiptoken") {
            guard let fields = GraphSupport.decodeToken(token), fields.count == 4, fields[0] == kind,
                let tokenTop = Int(fields[2]), (1...maxTop).contains(tokenTop), let position = Int(fields[3])
            else { throw GraphFailure(GraphError.invalidSkipToken) }
            filterText = fields[1]
            top = tokenTop
            cursor = position
        } else {
            filterText = call.queryValue("$filter") ?? ""
            top = try call.top(default: options.pageSize, max: maxTop)
        }
        let filter = try SplitFilter.parse(
            filterText, timeProperties: timeProperties, refusal: refusal, condition: condition)
        let range = column.range(filter.bounds, now: call.now)
        var position = min(cursor ?? range.upperBound, range.upperBound)
        var indices: [Int] = []
        var next: Int?
        while position > range.lowerBound {
            position -= 1
            guard filter.matches(position) else { continue }
            if indices.count == top {
                next = position + 1
                break
            }
            indices.append(position)
        }
        let nextLink = next.map { next in
            link(
                call, path,
                [
                    ("$top", String(top)),
                    ("$skiptoken", GraphSupport.encodeToken([kind, filterText, String(top), String(next)])),
                ])
        }
        return Page(indices: indices, nextLink: nextLink)
    }

    struct OffsetRequest {
        var kind: String
        var filterText: String
        var top: Int
        var offset: Int
    }

    /// The paging of a list computed per request (users, risky users): `$filter` and
    /// `$top` from the query, or all three from the `$skiptoken`.
    func offsetRequest(kind: String, _ call: GraphCall, maxTop: Int) throws(GraphFailure) -> OffsetRequest {
        guard let token = call.queryValue("$skiptoken") else {
            return OffsetRequest(
                kind: kind, filterText: call.queryValue("$filter") ?? "",
                top: try call.top(default: options.pageSize, max: maxTop), offset: 0)
        }
        guard let fields = GraphSupport.decodeToken(token), fields.count == 4, fields[0] == kind,
            let top = Int(fields[2]), (1...maxTop).contains(top), let offset = Int(fields[3]), offset >= 0
        else { throw GraphFailure(GraphError.invalidSkipToken) }
        return OffsetRequest(kind: kind, filterText: fields[1], top: top, offset: offset)
    }

    /// The slice of a `count`-long list this page shows, and the link to the next page
    /// (which keeps the request's `$select` and `$expand`, as Graph's do).
    func offsetSlice(_ paging: OffsetRequest, count: Int, path: String, _ call: GraphCall) -> (
        range: Range<Int>, nextLink: String?
    ) {
        let start = min(paging.offset, count)
        let end = min(count, start + paging.top)
        guard end < count else { return (start..<end, nil) }
        let token = GraphSupport.encodeToken([paging.kind, paging.filterText, String(paging.top), String(end)])
        var query = [("$top", String(paging.top)), ("$skiptoken", token)]
        for name in ["$select", "$expand"] {
            if let value = call.queryValue(name) { query.append((name, value)) }
        }
        return (start..<end, link(call, path, query))
    }
}
