#if DEBUG
    import Events

    @testable import TenantSimulator

    /// The steps of collecting a record that cost most in a debug build, done directly: a
    /// simulator document read as the value its JSON text parses to, the canonical text a mail
    /// change's `ce_id` hashes, and the envelope's JSON.
    ///
    /// In a debug build writing and parsing JSON text, `JSONValue.canonicalText` (strings built
    /// scalar by scalar) and `EventEncoder` (Foundation's `Codable` walk over every value of the
    /// record) took most of the time of a big world. The results are the same: the values are
    /// those `JSONParser` reads, the `ce_id` is still `EventID.derived("change", …)` over the
    /// same text, and the envelope decodes to the same value; the collector tests compare all of
    /// it with what the collectors publish.
    enum RecordEncoding {
        /// The value `JSONParser` (what the collectors decode with) reads from the document's
        /// text: a decimal that is integral and fits is an integer, as it reads `1.0` or `1e2`;
        /// of a repeated key, the last counts.
        static func value(_ document: OrderedJSON) throws(SimulatedWorldRecordsError) -> JSONValue {
            switch document {
            case .null: return .null
            case .bool(let flag): return .bool(flag)
            case .integer(let number): return .integer(number)
            case .string(let text): return .string(text)
            case .decimal(let text):
                let isInteger = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
                if isInteger, let integer = Int64(text) { return .integer(integer) }
                guard let double = Double(text), double.isFinite else {
                    throw SimulatedWorldRecordsError("the simulator wrote \(text), not a JSON number")
                }
                if let integer = Int64(exactly: double) { return .integer(integer) }
                return .number(double)
            case .array(let elements):
                var values: [JSONValue] = []
                values.reserveCapacity(elements.count)
                for element in elements { values.append(try value(element)) }
                return .array(values)
            case .object(let members):
                var fields: [String: JSONValue] = [:]
                fields.reserveCapacity(members.count)
                for member in members { fields[member.key] = try value(member.value) }
                return .object(fields)
            }
        }

        /// `JSONValue.canonicalText`, as UTF-8: members sorted by key, no whitespace, strings
        /// escaped as `JSONValue.quoted` escapes them.
        static func canonical(_ value: JSONValue, into out: inout [UInt8]) {
            switch value {
            case .null: out += "null".utf8
            case .bool(let flag): out += (flag ? "true" : "false").utf8
            case .integer(let number): out += String(number).utf8
            case .number(let number): out += (number.isFinite ? "\(number)" : "null").utf8
            case .string(let text): quoted(text, into: &out)
            case .array(let values):
                out.append(UInt8(ascii: "["))
                for (index, element) in values.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    canonical(element, into: &out)
                }
                out.append(UInt8(ascii: "]"))
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                // The same comparison `canonicalText` sorts with (String's, not the bytes').
                for (index, key) in members.keys.sorted().enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    quoted(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    canonical(members[key]!, into: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
        }

        /// `JSONValue.quoted`: `"` `\` and the control characters escaped, the rest as is. Bytes
        /// of multi-byte UTF-8 sequences are all 0x80 or more, so copying bytes copies scalars.
        static func quoted(_ text: String, into out: inout [UInt8]) {
            out.append(UInt8(ascii: "\""))
            var text = text
            text.withUTF8 { bytes in
                // Runs of bytes that need no escape are copied at once.
                var runStart = 0
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    runStart = index + 1
                    switch byte {
                    case UInt8(ascii: "\""): out += #"\""#.utf8
                    case UInt8(ascii: "\\"): out += #"\\"#.utf8
                    case UInt8(ascii: "\n"): out += #"\n"#.utf8
                    case UInt8(ascii: "\r"): out += #"\r"#.utf8
                    case UInt8(ascii: "\t"): out += #"\t"#.utf8
                    default:
                        let hex = Array("0123456789abcdef".utf8)
                        out += #"\u00"#.utf8
                        out.append(hex[Int(byte >> 4)])
                        out.append(hex[Int(byte & 0xF)])
                    }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            }
            out.append(UInt8(ascii: "\""))
        }

        /// `EventID.resourceChange` (what `MailChange.id` is), hashing the text built here.
        static func changeId(_ envelope: RawMailEnvelope, canonicalResource: [UInt8]) -> String {
            EventID.derived(
                "change",
                from: [
                    EventID.raw(envelope.resourceId), envelope.changeKind.rawValue,
                    String(decoding: canonicalResource, as: UTF8.self),
                ])
        }

        /// The envelope as `EventEncoder` writes it, but with `member`'s value written as the
        /// given JSON text: the envelope is encoded with `null` there, and the text put in its
        /// place. `EventEncoder` sorts keys and escapes every quote inside strings, so
        /// `"member":null` occurs exactly once, as the member itself.
        static func encode<Envelope: TopicValue>(_ envelope: Envelope, member: String, json: [UInt8])
            throws(SimulatedWorldRecordsError) -> [UInt8]
        {
            let bytes: [UInt8]
            do {
                bytes = try EventEncoder().encode(envelope)
            } catch {
                throw SimulatedWorldRecordsError("cannot encode a \(Envelope.schemaName): \(error.message)")
            }
            let marker = Array("\"\(member)\":null".utf8)
            guard let start = firstRange(of: marker, in: bytes) else {
                throw SimulatedWorldRecordsError("a \(Envelope.schemaName) without \"\(member)\":null")
            }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + json.count)
            out += bytes[..<(start + marker.count - 4)]
            out += json
            out += bytes[(start + marker.count)...]
            return out
        }

        private static func firstRange(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
            guard bytes.count >= marker.count else { return nil }
            for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
                if bytes[start..<(start + marker.count)].elementsEqual(marker) { return start }
            }
            return nil
        }
    }
#endif
