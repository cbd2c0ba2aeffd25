/// One line of a diagnosis: what was checked, for which component, how it went, what was seen,
/// and — for every failure and warning — what to do about it.
public struct DiagnosticCheck: Sendable, Hashable, Codable {
    /// How a check went.
    public enum Result: String, Sendable, Hashable, Codable, Comparable {
        /// Works.
        case pass
        /// Works for now, or could not be confirmed; worth a look (e.g. no audit content for hours).
        case warn
        /// Does not work; the component will not do its job until the fix is applied.
        case fail
        /// Not checked, because an earlier failure makes it moot or it does not apply; the detail says why.
        case skip

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
        private var rank: Int {
            switch self {
            case .pass: 0
            case .skip: 1
            case .warn: 2
            case .fail: 3
            }
        }
    }

    /// The tenant checked; nil for checks of the Kafka cluster.
    public var tenant: String?
    /// What was checked, e.g. `permission IdentityRiskyUser.Read.All`.
    public var check: String
    /// The component that needs it: `audit`, `mail`, `correlator`, `act`, or several joined with `,`.
    public var component: String
    public var result: Result
    /// What was seen, in a sentence. Never a secret or a token.
    public var detail: String
    /// What to do, for failures and warnings.
    public var fix: String?

    public init(
        tenant: String?, check: String, component: String, result: Result, detail: String, fix: String? = nil
    ) {
        self.tenant = tenant
        self.check = check
        self.component = component
        self.result = result
        self.detail = detail
        self.fix = fix
    }
}
