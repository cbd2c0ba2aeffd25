/// The events of a `KafkaConsumer` as an `AsyncSequence`.
///
/// The iterator holds at most one fetched batch (`maxBatch` events) and asks
/// librdkafka for more only when it is empty: backpressure comes from
/// librdkafka's bounded fetch queue, not from an unbounded Swift buffer.
/// The sequence ends when the consumer closes or the task is cancelled.
public struct KafkaConsumerEvents: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerEvent
    public typealias Failure = KafkaError

    let consumer: KafkaConsumer
    /// How long one trip to librdkafka waits for the first event; bounds how
    /// quickly cancellation and close are noticed.
    var pollTimeoutMilliseconds: Int32 = 100

    public func makeAsyncIterator() -> Iterator {
        Iterator(consumer: consumer, pollTimeoutMilliseconds: pollTimeoutMilliseconds)
    }

    public struct Iterator: AsyncIteratorProtocol, Sendable {
        public typealias Element = KafkaConsumerEvent
        public typealias Failure = KafkaError

        @usableFromInline let consumer: KafkaConsumer
        @usableFromInline let pollTimeoutMilliseconds: Int32
        @usableFromInline var buffer: [KafkaConsumerEvent] = []
        @usableFromInline var position = 0

        init(consumer: KafkaConsumer, pollTimeoutMilliseconds: Int32) {
            self.consumer = consumer
            self.pollTimeoutMilliseconds = pollTimeoutMilliseconds
        }

        // Inlinable so that taking the next event of a fetched batch costs the caller
        // an array read, not an async call; only an empty buffer goes to librdkafka.
        @inlinable
        public mutating func next() async throws(KafkaError) -> Element? {
            if position < buffer.count {
                defer { position += 1 }
                return buffer[position]
            }
            return try await refill()
        }

        /// What one call to ``poll()`` found.
        public enum Polled: Sendable, Hashable {
            case event(KafkaConsumerEvent)
            /// Nothing arrived within one poll timeout: time for periodic work (a stateful stage
            /// releasing what waits on a clock, a checkpoint). The sequence goes on.
            case idle
            /// The consumer closed or the task was cancelled.
            case finished
        }

        /// Like `next()`, but returns `.idle` instead of waiting on when one trip to librdkafka
        /// brings nothing, so a single task can interleave events with work on a timer.
        public mutating func poll() async throws(KafkaError) -> Polled {
            if position < buffer.count {
                defer { position += 1 }
                return .event(buffer[position])
            }
            if Task.isCancelled || consumer.isClosing { return .finished }
            buffer = try await consumer.fetch(timeoutMilliseconds: pollTimeoutMilliseconds)
            position = 0
            guard !buffer.isEmpty else { return .idle }
            position = 1
            return .event(buffer[0])
        }

        @usableFromInline
        mutating func refill() async throws(KafkaError) -> Element? {
            while position == buffer.count {
                if Task.isCancelled || consumer.isClosing { return nil }
                buffer = try await consumer.fetch(timeoutMilliseconds: pollTimeoutMilliseconds)
                position = 0
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}
