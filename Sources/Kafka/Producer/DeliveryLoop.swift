import CRdKafka
import Dispatch
import Synchronization

/// Serves a producer's delivery reports on a thread of the layer's own, and wakes
/// senders that wait for room in librdkafka's local queue.
///
/// It holds the client, not the producer, so a producer dropped without `close`
/// still stops its loop and frees its handle.
final class DeliveryLoop: Sendable {
    private enum State { case running, closing, stopped }

    private let state = Mutex(State.running)
    private let spaceWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let queue = DispatchQueue(label: "inboxwatch.kafka.producer.poll")

    init(client: RDKafkaClient) {
        queue.async { [self] in
            while state.withLock({ $0 != .stopped }) {
                rd_kafka_poll(client.handle, 50)
                wakeSpaceWaiters()
            }
            wakeSpaceWaiters()
        }
    }

    var isRunning: Bool { state.withLock { $0 == .running } }

    /// Marks the producer closing; false if it already was.
    func beginClosing() -> Bool {
        state.withLock { state in
            guard state == .running else { return false }
            state = .closing
            return true
        }
    }

    func requestStop() {
        state.withLock { $0 = .stopped }
    }

    /// Stops the loop and returns once it has exited (the queue is serial, so
    /// this resumes only after the loop's block has returned).
    func stop() async {
        requestStop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }

    func waitForSpace() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { state in
                if state == .stopped { return true }
                spaceWaiters.withLock { $0.append(continuation) }
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    private func wakeSpaceWaiters() {
        let waiters = spaceWaiters.withLock { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
