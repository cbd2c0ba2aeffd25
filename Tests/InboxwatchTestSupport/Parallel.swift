#if DEBUG
    import Dispatch
    import Synchronization

    /// Runs independent jobs on every core.
    enum Parallel {
        /// `body(0) … body(count - 1)`, run side by side; the results in index order, or the
        /// first error by index.
        static func map<T: Sendable, Failure: Error>(
            _ count: Int, _ body: @Sendable (Int) throws(Failure) -> T
        ) throws(Failure) -> [T] {
            let results = Results<T, Failure>(count: count)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                let result = Result { () throws(Failure) in try body(index) }
                results.slots.withLock { $0[index] = result }
            }
            let finished = results.slots.withLock { $0 }
            var values: [T] = []
            values.reserveCapacity(count)
            for result in finished { values.append(try result!.get()) }
            return values
        }

        /// Where the jobs leave their results: written once per index, read after all finished.
        private final class Results<T: Sendable, Failure: Error>: Sendable {
            let slots: Mutex<[Result<T, Failure>?]>
            init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
        }
    }
#endif
