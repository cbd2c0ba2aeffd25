import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where rendered log lines go. Each call receives one whole line without its newline.
public struct LogSink: Sendable {
    public let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard error, one `write(2)` per line under a lock, so lines from concurrent tasks
    /// never interleave (stdout stays free for a command's result).
    public static let standardError = LogSink { line in
        StandardErrorWriter.shared.emit(line + "\n")
    }
}

/// Serialises writes to file descriptor 2.
final class StandardErrorWriter: Sendable {
    static let shared = StandardErrorWriter()
    private let lock = Mutex(())

    func emit(_ text: String) {
        var bytes = Array(text.utf8)
        lock.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Whether standard error is a terminal (someone is watching).
    static var isTerminal: Bool { isatty(2) != 0 }
}
