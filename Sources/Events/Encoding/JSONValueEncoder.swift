/// Builds a ``JSONValue`` straight from an `Encodable` value, without writing JSON text and
/// parsing it back. Dates encode themselves (seconds since 2001, full precision), as with a
/// plain `JSONEncoder`: what the correlator's state snapshots need to restore exactly. Coding
/// paths are not tracked (our own values do not fail to encode, and every path was an
/// allocation per member).
public enum JSONValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let tree = value as? JSONValue { return tree }
        let node = Node()
        try value.encode(to: TreeEncoder(node: node))
        return node.value
    }

    /// One value being built: a leaf, or an object or array of further nodes (stored in place,
    /// so adding a member does not copy the others).
    final class Node {
        var leaf: JSONValue?
        var members: [String: Node]?
        var elements: [Node]?

        var value: JSONValue {
            if let leaf { return leaf }
            if let members { return .object(members.mapValues(\.value)) }
            if let elements { return .array(elements.map(\.value)) }
            return .object([:])
        }

        var content: JSONValue? {
            get { leaf }
            set {
                leaf = newValue
                members = nil
                elements = nil
            }
        }

        func member(_ key: String) -> Node {
            makeObject()
            if let node = members?[key] { return node }
            let node = Node()
            members?[key] = node
            return node
        }

        func append() -> Node {
            makeArray()
            let node = Node()
            elements?.append(node)
            return node
        }

        func makeObject() {
            guard members == nil else { return }
            leaf = nil
            elements = nil
            members = [:]
        }

        func makeArray() {
            guard elements == nil else { return }
            leaf = nil
            members = nil
            elements = []
        }

        var count: Int { elements?.count ?? 0 }

        /// Primitives as leaves; anything else encodes itself into the node.
        func set<T: Encodable>(_ value: T) throws {
            if let tree = value as? JSONValue {
                content = tree
            } else {
                try value.encode(to: TreeEncoder(node: self))
            }
        }
    }

    struct TreeEncoder: Encoder {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.makeObject()
            return KeyedEncodingContainer(Keyed<Key>(node: node))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            node.makeArray()
            return Unkeyed(node: node)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node) }
    }

    // The primitive overloads are spelled out: Codable calls them directly, and the generic path
    // would cost a dynamic cast per value.
    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) { node.member(key.stringValue).content = .null }
        mutating func encode(_ value: Bool, forKey key: Key) { node.member(key.stringValue).content = .bool(value) }
        mutating func encode(_ value: String, forKey key: Key) {
            node.member(key.stringValue).content = .string(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) {
            node.member(key.stringValue).content = .number(value)
        }
        mutating func encode(_ value: Int, forKey key: Key) {
            node.member(key.stringValue).content = .integer(Int64(value))
        }
        mutating func encode(_ value: Int32, forKey key: Key) {
            node.member(key.stringValue).content = .integer(Int64(value))
        }
        mutating func encode(_ value: Int64, forKey key: Key) {
            node.member(key.stringValue).content = .integer(value)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try node.member(key.stringValue).set(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            TreeEncoder(node: node.member(key.stringValue)).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            TreeEncoder(node: node.member(key.stringValue)).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.member("super")) }

        mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: node.member(key.stringValue)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        var count: Int { node.count }

        mutating func encodeNil() { node.append().content = .null }
        mutating func encode(_ value: Bool) { node.append().content = .bool(value) }
        mutating func encode(_ value: String) { node.append().content = .string(value) }
        mutating func encode(_ value: Double) { node.append().content = .number(value) }
        mutating func encode(_ value: Int) { node.append().content = .integer(Int64(value)) }
        mutating func encode(_ value: Int64) { node.append().content = .integer(value) }

        mutating func encode<T: Encodable>(_ value: T) throws { try node.append().set(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            TreeEncoder(node: node.append()).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            TreeEncoder(node: node.append()).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.append()) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() { node.content = .null }
        mutating func encode(_ value: Bool) { node.content = .bool(value) }
        mutating func encode(_ value: String) { node.content = .string(value) }
        mutating func encode(_ value: Double) { node.content = .number(value) }
        mutating func encode(_ value: Int) { node.content = .integer(Int64(value)) }
        mutating func encode(_ value: Int64) { node.content = .integer(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.set(value) }
    }
}
