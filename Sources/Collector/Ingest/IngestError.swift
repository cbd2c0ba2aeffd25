/// Why a file cannot be ingested at all: it cannot be read, or it is not an audit log export.
///
/// A bad record inside a good export is not an error: it comes out as an ``IngestedRecord``
/// with an ``IngestProblem``, so one broken row never stops a replay of millions.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The file does not exist, is a directory, or reading it failed.
        public static let unreadable = Code(name: "unreadable")
        /// The file is not a unified audit log export (no `AuditData` column, not JSON, empty, binary).
        public static let notAnExport = Code(name: "notAnExport")
        /// The file is an export in an encoding this reader does not decode (UTF-16 or UTF-32).
        public static let unsupportedEncoding = Code(name: "unsupportedEncoding")
    }

    public var code: Code
    /// What was expected and what was found, naming the file.
    public var message: String
    /// The file, as it was given.
    public var path: String

    public init(code: Code, message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { "\(code): \(message)" }
}
