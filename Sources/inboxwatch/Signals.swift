import Dispatch
import Glibc

/// Waits until the process receives SIGINT or SIGTERM, and returns which; returns 0
/// if the waiting task is cancelled (so a task group can end without a signal).
func waitForTerminationSignal() async -> Int32 {
    let queue = DispatchQueue(label: "inboxwatch.signals")
    let latch = SignalLatch()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            queue.async { latch.arm(continuation, queue: queue) }
        }
    } onCancel: {
        queue.async { latch.fire(0) }
    }
}

/// Resumes the waiting task once, whichever comes first: a signal or cancellation.
/// Unchecked because every method runs on the one serial signal queue.
private final class SignalLatch: @unchecked Sendable {
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [any DispatchSourceSignal] = []
    private var fired: Int32?

    func arm(_ continuation: CheckedContinuation<Int32, Never>, queue: DispatchQueue) {
        if let fired {
            continuation.resume(returning: fired)
            return
        }
        self.continuation = continuation
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { self.fire(number) }
            sources.append(source)
            source.resume()
        }
    }

    func fire(_ number: Int32) {
        guard fired == nil else { return }
        fired = number
        continuation?.resume(returning: number)
        continuation = nil
        for source in sources { source.cancel() }
        sources = []
    }
}
