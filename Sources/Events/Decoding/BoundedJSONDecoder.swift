import Foundation

/// Decodes our event types from untrusted bytes: limits first, then
/// `JSONDecoder`, with every failure turned into an `EventDecodingError` that
/// names the field.
public struct BoundedJSONDecoder: Sendable {
    public var limits: JSONLimits

    public init(limits: JSONLimits = .standard) {
        self.limits = limits
    }

    /// Decodes any `Decodable` from untrusted bytes, with the same limits, time format
    /// and errors as topic values (which also get their version and rules checked:
    /// `decodeValue`).
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(EventDecodingError) -> T {
        let tree = try parse(bytes)
        return try Self.mappingErrors { try JSONValueDecoder.decode(type, from: tree, codingPath: []) }
    }

    /// The limits, then the JSON tree.
    func parse(_ bytes: [UInt8]) throws(EventDecodingError) -> JSONValue {
        try limits.check(bytes)
        return try JSONParser.parse(bytes, maxDepth: limits.maxDepth)
    }

    /// A `JSONDecoder` that reads times as `EventEncoder` writes them.
    static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = CloudEventHeaders.parse(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an RFC 3339 time"))
            }
            return date
        }
        return decoder
    }

    /// Runs a decoding step, turning whatever it throws into an `EventDecodingError`.
    static func mappingErrors<T>(_ body: () throws -> T) throws(EventDecodingError) -> T {
        do {
            return try body()
        } catch let error as EventDecodingError {
            throw error
        } catch let error as DecodingError {
            throw EventDecodingError(error)
        } catch {
            throw EventDecodingError(code: .malformedJSON, message: "\(error)")
        }
    }
}

extension EventDecodingError {
    /// Foundation's decoding errors, with the coding path kept as a dotted path.
    init(_ error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String? {
            guard !keys.isEmpty else { return nil }
            return keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(
                code: .missingField, message: "required field \"\(key.stringValue)\" is missing",
                path: path(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            self.init(
                code: .wrongType, message: "expected \(type): \(context.debugDescription)",
                path: path(context.codingPath))
        case .valueNotFound(let type, let context):
            self.init(code: .wrongType, message: "expected \(type), found null", path: path(context.codingPath))
        case .dataCorrupted(let context):
            let code: Code = context.codingPath.isEmpty ? .malformedJSON : .invalidValue
            self.init(code: code, message: context.debugDescription, path: path(context.codingPath))
        @unknown default:
            self.init(code: .malformedJSON, message: "\(error)")
        }
    }
}
