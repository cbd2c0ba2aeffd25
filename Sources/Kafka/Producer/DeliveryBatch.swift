import CRdKafka
import Synchronization

/// Tracks the delivery reports of one `send` call, however many records it holds.
///
/// Each record's librdkafka opaque points at its ticket; the delivery callback
/// fills the record's slot, and the last report wakes the waiting task. Slots are
/// each written once, before an atomic decrement, so no lock guards them.
final class DeliveryBatch: @unchecked Sendable {
    struct Ticket {
        var batch: Unmanaged<DeliveryBatch>
        var index: Int
    }

    struct Slot {
        var error: rd_kafka_resp_err_t = RD_KAFKA_RESP_ERR_NO_ERROR
        var partition: Int32 = -1
        var offset: Int64 = -1
    }

    let tickets: UnsafeMutableBufferPointer<Ticket>
    private let slots: UnsafeMutableBufferPointer<Slot>
    private let remaining: Atomic<Int>
    private let waiter = Mutex<Waiter>(.waiting(nil))

    private enum Waiter {
        case waiting(CheckedContinuation<Void, Never>?)
        case finished
    }

    init(count: Int) {
        tickets = .allocate(capacity: count)
        slots = .allocate(capacity: count)
        slots.initialize(repeating: Slot())
        remaining = Atomic(count)
        let this = Unmanaged.passUnretained(self)
        for index in 0..<count {
            (tickets.baseAddress! + index).initialize(to: Ticket(batch: this, index: index))
        }
    }

    deinit {
        tickets.deallocate()
        slots.deallocate()
    }

    /// Called from librdkafka's delivery report callback, or for a record librdkafka refused.
    func complete(index: Int, error: rd_kafka_resp_err_t, partition: Int32, offset: Int64) {
        slots[index] = Slot(error: error, partition: partition, offset: offset)
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            let continuation = waiter.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state = .finished }
                if case .waiting(let continuation) = state { return continuation }
                return nil
            }
            continuation?.resume()
        }
    }

    /// Returns once every record has its report.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = waiter.withLock { state -> Bool in
                if case .finished = state { return true }
                state = .waiting(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }

    func slot(_ index: Int) -> Slot { slots[index] }
}
