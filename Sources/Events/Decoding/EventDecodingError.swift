/// Why a value from a topic (or from Microsoft) could not be turned into one of
/// our types. Carried into dead-letter records as the reason, so it says what
/// was wrong and where.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; an extensible set of values.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let tooLarge = Code("tooLarge")
        public static let tooDeep = Code("tooDeep")
        public static let stringTooLong = Code("stringTooLong")
        public static let invalidUTF8 = Code("invalidUTF8")
        public static let malformedJSON = Code("malformedJSON")
        public static let missingField = Code("missingField")
        public static let wrongType = Code("wrongType")
        public static let invalidValue = Code("invalidValue")
        public static let unsupportedVersion = Code("unsupportedVersion")
        public static let missingHeader = Code("missingHeader")
    }

    public var code: Code
    /// What was wrong, for a person.
    public var message: String
    /// Where in the value, as a dotted path (`record.Parameters[2].Value`), when known.
    public var path: String?

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        "\(code): \(message)" + (path.map { " at \($0)" } ?? "")
    }
}
