#if canImport(Glibc)
    import Glibc
#endif

/// A loopback port nothing listens on, for as long as this value lives: its socket stays bound
/// (without `listen`), so a connection is refused and no server started by a test running in
/// parallel can be handed the same port — which closing the socket at once allowed, and which
/// made a "refused" test meet a live server under load.
public final class BoundLoopbackPort: Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: Int
    private let descriptor: Int32

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Unavailable(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw Unavailable(description: "bind() to 127.0.0.1:0 failed: errno \(errno)")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// A loopback TCP port that was free a moment ago, for a child process that must be told its
/// port on the command line (a server in this process binds port 0 instead).
public enum LoopbackPort {
    public static func free() throws -> Int { try BoundLoopbackPort().port }
}
