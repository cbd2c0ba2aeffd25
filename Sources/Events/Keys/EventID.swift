import Crypto
import Foundation

/// The rules for `ce_id`, so that the same fact always has the same id and
/// consumers can drop one they have already applied.
public enum EventID {
    /// A raw record keeps Microsoft's own id (the audit record `Id`, the Graph resource `id`).
    public static func raw(_ microsoftID: String) -> String {
        microsoftID.keyNormalized
    }

    /// A derived event is named by a hash of what it was derived from: the same
    /// inputs give the same id on every replay, on every instance.
    /// - Parameters:
    ///   - kind: what is derived (`story`, `story-event`, `finding`, `command`...), so
    ///     different kinds of ids from the same inputs never collide.
    ///   - inputs: the identifying inputs, in a fixed order.
    public static func derived(_ kind: String, from inputs: [String]) -> String {
        var hasher = SHA256()
        for part in [kind] + inputs {
            // Length-prefixed, so ["ab", "c"] and ["a", "bc"] differ.
            hasher.update(data: Array("\(part.utf8.count):".utf8) + Array(part.utf8))
        }
        let digest = hasher.finalize().prefix(16)
        return "\(kind)-" + digest.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// A change to a Graph resource: the same resource changed twice gets two ids,
    /// the same change seen twice (a re-polled page, a replayed delta) gets one.
    /// Graph ids name the resource, not the change, so the content is part of the id.
    public static func resourceChange(resourceID: String, changeKind: String, resource: JSONValue) -> String {
        derived("change", from: [raw(resourceID), changeKind, resource.canonicalText])
    }

    /// A story's id: stable across replays and late records (DESIGN.md, "Stories").
    public static func story(tenantID: String, user: String, detection: String, firstRecordID: String) -> String {
        derived("story", from: [tenantID.keyNormalized, user.keyNormalized, detection, firstRecordID.keyNormalized])
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
