import Logging
import Synchronization

/// Installs ``StructuredLogHandler`` as the process's log handler, once: swift-log allows a
/// single bootstrap per process, and a second call (a test, a command that runs another) is
/// ignored rather than a crash.
public enum InboxwatchLogging {
    private static let bootstrapped = Mutex(false)

    /// Returns false when logging was already bootstrapped (the earlier settings stay).
    @discardableResult
    public static func bootstrap(
        format: LogFormat? = nil, levels: LogLevels, sink: LogSink = .standardError
    ) -> Bool {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return false }
        let format = format ?? .automatic(standardErrorIsTerminal: StandardErrorWriter.isTerminal)
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, format: format, level: levels.level(for: label), sink: sink)
        }
        return true
    }
}
