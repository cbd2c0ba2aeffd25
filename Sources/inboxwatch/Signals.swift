import Dispatch
import Glibc

/// Waits until the process receives SIGINT or SIGTERM, and returns which.
func waitForTerminationSignal() async -> Int32 {
    await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
        let queue = DispatchQueue(label: "inboxwatch.signals")
        let resumed = SignalLatch(continuation)
        // All sources are kept before any is resumed: after that the latch is touched only on `queue`.
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { resumed.fire(number) }
            resumed.keep(source)
        }
        resumed.start()
    }
}

/// Resumes the waiting task once, whichever signal comes first. Unchecked because it is
/// filled before its sources start and afterwards touched only on the signal queue.
private final class SignalLatch: @unchecked Sendable {
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) { sources.append(source) }

    func start() {
        for source in sources { source.resume() }
    }

    func fire(_ number: Int32) {
        continuation?.resume(returning: number)
        continuation = nil
        for source in sources { source.cancel() }
    }
}
