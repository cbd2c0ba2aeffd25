import Crypto
import Foundation

/// The `client-request-id` of a Graph call, derived from what the call is for, so every
/// attempt of one remediation command (its retries, and its resends after a crash and
/// restart) carries the same id, and a test derives the same id to look the command up in the
/// simulator's request ledger.
public enum GraphRequestID {
    /// A GUID for `commandId`: the first 16 bytes of SHA-256 over its UTF-8, with the version
    /// (5, name-based) and RFC 4122 variant bits set, written lower-case in the 8-4-4-4-12 form
    /// Graph expects. The same command id always gives the same GUID; give reads of a command
    /// their own (e.g. `forCommand(id + "#read-back")`) so they are not counted as its attempts.
    public static func forCommand(_ commandId: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(commandId.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }
}
