public import Logging

/// A swift-log handler writing one line per event as JSON, logfmt or text: time (RFC 3339, UTC,
/// milliseconds), level, component (the logger's label), message, and the metadata flattened
/// into string fields, secrets redacted and control characters escaped (``LogLine``).
public struct StructuredLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let sink: LogSink

    public init(
        label: String, format: LogFormat, level: Logger.Level, sink: LogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let line = LogLine(
            time: LogTime.now(), level: event.level, component: label, message: event.message.description,
            metadata: merged, error: event.error.map { "\($0)" })
        sink.write(line.rendered(format))
    }
}
