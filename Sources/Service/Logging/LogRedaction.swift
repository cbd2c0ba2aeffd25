/// Which metadata keys hold secrets: their values are written as `<redacted>` whatever they are,
/// so a token or password passed as metadata by mistake never reaches a log line.
public enum LogRedaction {
    public static let placeholder = "<redacted>"

    /// Fragments that mark a key as secret, compared case-insensitively and ignoring `_`, `-`
    /// and `.` (so `client_secret`, `clientSecret` and `X-Api-Key` all match).
    static let secretFragments = [
        "secret", "password", "passwd", "token", "authorization", "apikey", "privatekey", "cookie",
    ]

    public static func isSecret(key: String) -> Bool {
        let folded = String(key.lowercased().filter { $0 != "_" && $0 != "-" && $0 != "." })
        return secretFragments.contains { folded.contains($0) }
    }
}
