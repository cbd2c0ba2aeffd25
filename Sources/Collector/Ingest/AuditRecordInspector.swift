public import Events
import Foundation
import M365

/// Checks one record's bytes and reads the fields the pipeline needs: the record must be a JSON
/// object within the size limits, with a string `Id`. Anything else becomes an ``IngestProblem``.
public struct AuditRecordInspector: Sendable {
    /// Bounds on one record. Records go to Kafka as they are, so the topic's value limits apply.
    public var limits: JSONLimits

    public init(limits: JSONLimits = .standard) {
        self.limits = limits
    }

    /// The record's fields, or why it cannot be used. `what` names the record in the reason
    /// (`AuditData`, `the line`, `the element`).
    public func inspect(_ bytes: [UInt8], what: String) -> Result<AuditRecordFields, IngestProblem> {
        guard let first = bytes.first(where: { !Self.isWhitespace($0) }) else {
            return .failure(IngestProblem(reason: "\(what) is empty", code: .emptyAuditData))
        }
        guard first == UInt8(ascii: "{") else {
            return .failure(
                IngestProblem(
                    reason: "\(what) is not a JSON object: it starts with \(Self.preview(bytes)), expected {",
                    code: .notAnObject))
        }
        let head: RecordHead
        do {
            head = try BoundedJSONDecoder(limits: limits).decode(RecordHead.self, from: bytes)
        } catch {
            let detail = error.message + (error.path.map { " (at \($0))" } ?? "")
            return .failure(
                error.code == .tooLarge
                    ? IngestProblem(reason: "\(what) is too large: \(detail)", code: .tooLarge)
                    : IngestProblem(reason: "\(what) is not valid JSON: \(detail)", code: .malformedJSON))
        }
        return head.fields(what: what)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The first bytes, quoted and printable, for a reason.
    static func preview(_ bytes: [UInt8], limit: Int = 40) -> String {
        let trimmed = bytes.drop(while: isWhitespace)
        let text = String(decoding: trimmed.prefix(limit), as: UTF8.self)
        return Printable.quoted(text) + (trimmed.count > limit ? "…" : "")
    }
}

/// Just the top-level members the pipeline reads; `JSONDecoder` still checks the whole text.
private struct RecordHead: Decodable {
    var id: Scalar?
    var organizationId: Scalar?
    var creationTime: Scalar?
    var userId: Scalar?
    var userType: Scalar?
    var workload: Scalar?
    var recordType: Scalar?
    var operation: Scalar?

    private enum CodingKeys: String, CodingKey {
        case id = "Id"
        case organizationId = "OrganizationId"
        case creationTime = "CreationTime"
        case userId = "UserId"
        case userType = "UserType"
        case workload = "Workload"
        case recordType = "RecordType"
        case operation = "Operation"
    }

    func fields(what: String) -> Result<AuditRecordFields, IngestProblem> {
        func invalid(_ name: String, _ value: Scalar, expected: String) -> IngestProblem {
            IngestProblem(
                reason: "\(what) has \(name) \(value), expected \(expected)", code: .invalidField)
        }
        // Null is treated as absent: some exports write every known member, null when unset.
        func string(_ name: String, _ value: Scalar?) -> Result<String?, IngestProblem> {
            switch value {
            case nil, .null?: .success(nil)
            case .string(let text)?: .success(text)
            case let other?: .failure(invalid(name, other, expected: "a string"))
            }
        }
        func enumValue(_ name: String, _ value: Scalar?) -> Result<AuditEnumValue?, IngestProblem> {
            switch value {
            case nil, .null?: .success(nil)
            case .string(let text)?: .success(.name(text))
            case .integer(let number)?: .success(.number(number))
            case let other?: .failure(invalid(name, other, expected: "a whole number or a name"))
            }
        }
        do {
            guard let recordId = try string("Id", id).get(), !recordId.isEmpty else {
                return .failure(
                    IngestProblem(
                        reason: "\(what) has no Id; every audit record needs one to be keyed and deduplicated",
                        code: .missingId))
            }
            var creation: Date?
            if let text = try string("CreationTime", creationTime).get() {
                guard let date = M365Time.parseISO(text) else {
                    return .failure(
                        invalid(
                            "CreationTime", .string(text),
                            expected: "a time like 2020-02-10T15:13:13 (UTC), with optional fraction and Z"))
                }
                creation = date
            }
            return .success(
                AuditRecordFields(
                    recordId: recordId, organizationId: try string("OrganizationId", organizationId).get(),
                    creationTime: creation, userId: try string("UserId", userId).get(),
                    userType: try enumValue("UserType", userType).get(),
                    workload: try string("Workload", workload).get(),
                    recordType: try enumValue("RecordType", recordType).get(),
                    operation: try string("Operation", operation).get()))
        } catch {
            return .failure(error)
        }
    }
}

/// A JSON value reduced to what a type check needs, so a wrong type is reported, not thrown.
private enum Scalar: Decodable, CustomStringConvertible {
    case null
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case composite

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else {
            self = .composite
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .string(let text): Printable.quoted(text.count > 40 ? text.prefix(40) + "…" : text)
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .bool(let flag): String(flag)
        case .composite: "(an object or array)"
        }
    }
}
