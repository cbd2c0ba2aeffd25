import Dispatch

/// A serial queue owned by the Kafka layer for librdkafka calls that block
/// (flush, commit, close, transactions, consumer polls), so that no Swift
/// concurrency thread ever waits inside librdkafka.
struct BlockingExecutor: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Destroys handles away from whichever thread dropped the last reference.
    static let teardown = DispatchQueue(label: "inboxwatch.kafka.teardown")

    /// Runs `body` on the layer's queue and resumes the caller with its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(KafkaError) -> T in try body() })
            }
        }
        return try result.get()
    }

    /// Runs a call that cannot fail on the layer's queue.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on the layer's queue without waiting for it.
    func async(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }
}
