public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `inboxwatch` executable built next to the test bundle.
public enum InboxwatchBinary {
    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String
    }

    public static func locate() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "inboxwatch"),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(
                ".build/debug/inboxwatch"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NotBuilt(
                description: "inboxwatch is not built next to the tests (looked in \(candidates.map(\.path))); "
                    + "run `swift build --build-tests` first")
        }
        return found
    }
}

/// A child process whose stdout and stderr go to a log file the test can wait on.
public final class ChildProcess: Sendable {
    private let process: Process
    public let log: URL

    /// Starts `binary`; stderr goes to `log`, and stdout too unless `standardOutput` names a file of its own.
    public init(
        _ binary: URL, _ arguments: [String], environment: [String: String], log: URL, standardOutput: URL? = nil
    ) throws {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        var output = handle
        if let standardOutput {
            _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
            output = try FileHandle(forWritingTo: standardOutput)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = output
        process.standardError = handle
        try process.run()
        self.process = process
        self.log = log
    }

    public struct Timeout: Error, CustomStringConvertible {
        public var description: String
    }

    /// Waits until the log contains `text`, polling the file.
    public func waitForLog(_ text: String, seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let contents = try? String(contentsOf: log, encoding: .utf8), contents.contains(text) { return }
            guard process.isRunning else {
                throw Timeout(description: "the process exited before logging \"\(text)\"; see \(log.path)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Timeout(description: "no \"\(text)\" in \(log.path) within \(seconds) s")
    }

    public func kill(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end and returns its exit status.
    @discardableResult
    public func waitForExit() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }
}
