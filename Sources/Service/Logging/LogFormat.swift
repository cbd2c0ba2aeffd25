/// How a log event is written: one line per event in every format.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per line, for log shippers (Loki, Elasticsearch, CloudWatch).
    case json
    /// `key=value` pairs, for people reading a terminal and for logfmt parsers.
    case logfmt
    /// A time, level, component and message, then the metadata as logfmt pairs: the most readable.
    case text

    /// logfmt when a person is likely watching (stderr is a terminal), JSON otherwise, so a
    /// container's logs are machine-readable without a flag.
    public static func automatic(standardErrorIsTerminal: Bool) -> LogFormat {
        standardErrorIsTerminal ? .logfmt : .json
    }
}
