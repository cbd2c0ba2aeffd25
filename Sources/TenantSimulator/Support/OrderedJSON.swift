public import Foundation

/// A JSON document whose object keys keep the order they were written in.
///
/// Microsoft's services do not promise a key order, and the same audit record can
/// arrive with its keys in another order in a second blob. The simulator needs to
/// choose that order itself (and reproduce it from a seed), which `JSONEncoder`
/// and `JSONSerialization` cannot do.
public indirect enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// A decimal kept as the literal text to write, so output never depends on
    /// floating-point formatting.
    case decimal(String)
    case string(String)
    case array([OrderedJSON])
    case object([Member])

    /// One key and its value inside an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: OrderedJSON

        public init(_ key: String, _ value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// An object from members in the order given; `nil` values are left out.
    public static func object(_ pairs: KeyValuePairs<String, OrderedJSON?>) -> OrderedJSON {
        .object(pairs.compactMap { key, value in value.map { Member(key, $0) } })
    }

    public static func int(_ value: Int) -> OrderedJSON { .integer(Int64(value)) }

    public static func strings(_ values: [String]) -> OrderedJSON { .array(values.map(OrderedJSON.string)) }

    /// The value of `key` when this is an object.
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The same document with its object keys (at every depth) shuffled by `generator`.
    public func shufflingKeys(using generator: inout SeededGenerator) -> OrderedJSON {
        switch self {
        case .array(let values):
            return .array(values.map { $0.shufflingKeys(using: &generator) })
        case .object(let members):
            var shuffled = members.map { Member($0.key, $0.value.shufflingKeys(using: &generator)) }
            generator.shuffle(&shuffled)
            return .object(shuffled)
        default:
            return self
        }
    }

    /// Compact UTF-8 JSON text.
    public func serialized() -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(into: &out)
        return Data(out)
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let value): out.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .integer(let value): out.append(contentsOf: Array(String(value).utf8))
        case .decimal(let text): out.append(contentsOf: Array(text.utf8))
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension OrderedJSON {
    /// Several documents as one JSON array, written without building the array value.
    public static func serializedArray(_ elements: [OrderedJSON]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(elements.count * 512 + 2)
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            element.write(into: &out)
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }
}
