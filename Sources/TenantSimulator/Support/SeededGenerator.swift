/// A deterministic random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Every choice a scenario makes goes through one of these, and only through the
/// methods here (never `Int.random(in:)`, whose algorithm the standard library may
/// change), so the same seed yields the same tenant, byte for byte.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// An independent stream for one purpose, so adding draws to one part of a
    /// scenario does not change every choice made after it elsewhere.
    public func derived(_ label: String) -> SeededGenerator {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return SeededGenerator(seed: state.0 ^ hash)
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A value in `0..<bound` without modulo bias.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64(bound)
        let threshold = (0 &- limit) % limit
        while true {
            let value = next()
            if value >= threshold { return Int(value % limit) }
        }
    }

    public mutating func between(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A fraction in [0, 1) with 53 bits of precision.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    public mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }

    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(index, below(index + 1))
        }
    }

    /// A lower-case GUID in the 8-4-4-4-12 form Microsoft uses for ids.
    public mutating func guid() -> String {
        let high = next()
        let low = next()
        let hex = Self.hex(high, 16) + Self.hex(low, 16)
        let chars = Array(hex)
        func part(_ range: Range<Int>) -> String { String(chars[range]) }
        // Version 4, RFC 4122 variant, like the GUIDs Microsoft hands out.
        let variant = ["8", "9", "a", "b"][Int(low >> 62)]
        return [part(0..<8), part(8..<12), "4" + part(13..<16), variant + part(17..<20), part(20..<32)]
            .joined(separator: "-")
    }

    /// `count` random bytes as unpadded base64url, the alphabet of Graph message ids.
    public mutating func base64url(byteCount: Int) -> String {
        let length = (byteCount * 4 + 2) / 3
        var out = [UInt8]()
        out.reserveCapacity(length)
        // Ten 6-bit characters per draw: message ids are long and there are many of them.
        while out.count < length {
            var bits = next()
            for _ in 0..<min(10, length - out.count) {
                out.append(Self.base64urlAlphabet[Int(bits & 63)])
                bits >>= 6
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let base64urlAlphabet = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func hex(_ value: UInt64, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
