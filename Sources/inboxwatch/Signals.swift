import Dispatch
import Glibc

/// Waits until the process receives SIGINT or SIGTERM, and returns which.
func waitForTerminationSignal() async -> Int32 {
    await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
        let queue = DispatchQueue(label: "inboxwatch.signals")
        let resumed = SignalLatch(continuation)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { resumed.fire(number) }
            source.resume()
            resumed.keep(source)
        }
    }
}

/// Resumes the waiting task once, whichever signal comes first; owned by the signal queue.
private final class SignalLatch: @unchecked Sendable {
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) { sources.append(source) }

    func fire(_ number: Int32) {
        continuation?.resume(returning: number)
        continuation = nil
        for source in sources { source.cancel() }
    }
}
