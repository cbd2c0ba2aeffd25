import Collector
import Logging

/// Runs workers (each returns its failure, if any) side by side until they all finish or SIGINT/SIGTERM arrives; on a signal they
/// are cancelled and awaited, so each flushes and checkpoints what it acknowledged. Returns the
/// first worker failure.
func runWorkersUntilSignal(
    logger: Logger, workers: [@Sendable () async -> CollectorError?]
) async -> CollectorError? {
    enum Outcome: Sendable {
        case signal
        case finished(CollectorError?)
    }
    return await withTaskGroup(of: Outcome.self) { group in
        group.addTask {
            let signal = await waitForTerminationSignal()
            if signal != 0 { logger.notice("stopping on signal \(signal)") }
            return .signal
        }
        group.addTask {
            await withTaskGroup(of: CollectorError?.self) { running in
                for worker in workers {
                    running.addTask {
                        let failure = await worker()
                        if let failure { logger.error("worker stopped", metadata: ["error": "\(failure)"]) }
                        return failure
                    }
                }
                var failure: CollectorError?
                for await result in running where failure == nil { failure = result }
                return .finished(failure)
            }
        }
        var failure: CollectorError?
        if case .finished(let result)? = await group.next() { failure = result }
        group.cancelAll()
        for await outcome in group {
            if case .finished(let result) = outcome, failure == nil { failure = result }
        }
        return failure
    }
}
