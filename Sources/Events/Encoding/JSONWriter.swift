/// Writes a ``JSONValue`` as compact JSON text the way `EventEncoder` does: keys sorted, slashes
/// not escaped. For values that are mostly a tree already (correlator state), where going through
/// `JSONEncoder` and the tree's `Codable` conformance was most of a checkpoint's cost.
enum JSONWriter {
    static func write(_ value: JSONValue, into bytes: inout [UInt8]) {
        switch value {
        case .null: bytes += "null".utf8
        case .bool(let flag): bytes += (flag ? "true" : "false").utf8
        case .integer(let number): bytes += String(number).utf8
        case .number(let number):
            if let whole = Int64(exactly: number) {
                bytes += String(whole).utf8
            } else {
                bytes += (number.isFinite ? "\(number)" : "null").utf8
            }
        case .string(let text): writeString(text, into: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                if let member = members[key] { write(member, into: &bytes) }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += #"\""#.utf8
            case UInt8(ascii: "\\"): bytes += #"\\"#.utf8
            case 0x0A: bytes += #"\n"#.utf8
            case 0x0D: bytes += #"\r"#.utf8
            case 0x09: bytes += #"\t"#.utf8
            case 0x08: bytes += #"\b"#.utf8
            case 0x0C: bytes += #"\f"#.utf8
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                bytes += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension CorrelatorStateSnapshot {
    /// The same value `EventEncoder` writes (it reads back equal, and meets the schema), written
    /// straight from the tree.
    public func encodedJSON() -> [UInt8] {
        let tree = JSONValue.object([
            "schemaVersion": .string(schemaVersion.description),
            "key": .string(key),
            "covers": .array(
                covers.map {
                    .object([
                        "topic": .string($0.topic), "partition": .integer(Int64($0.partition)),
                        "nextOffset": .integer($0.nextOffset),
                    ])
                }),
            "updatedAt": .string(CloudEventHeaders.format(updatedAt)),
            "stateVersion": .integer(Int64(stateVersion)),
            "state": state,
        ])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2_048)
        JSONWriter.write(tree, into: &bytes)
        return bytes
    }
}
