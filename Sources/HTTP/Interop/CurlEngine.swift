import CCurl
import Foundation
import Synchronization

/// Runs libcurl's multi interface on a thread of its own. Swift tasks hand it
/// transfers through a lock-protected queue and wait on a continuation, so no
/// cooperative thread ever blocks in libcurl; `curl_multi_wakeup` interrupts
/// the thread's `curl_multi_poll` when there is new work.
///
/// All transfers share the multi handle's connection and DNS caches, so
/// connections are reused across requests (and multiplexed over HTTP/2).
final class CurlEngine: Sendable {
    typealias Completion = CheckedContinuation<Result<HTTPResponse, TransferFailure>, Never>

    struct Job: Sendable {
        let id: UInt64
        let transfer: PreparedTransfer
        let continuation: Completion
    }

    /// What the curl thread takes from the queue in one turn.
    struct Intake {
        var jobs: [Job]
        var cancellations: [UInt64]
        var stopping: Bool
    }

    private enum Lifecycle { case running, stopping, stopped }

    private struct Shared {
        var lifecycle = Lifecycle.running
        /// Submitted, not yet started: at most `maximumConcurrentRequests` transfers run, the rest wait here.
        var pending: [Job] = []
        /// Running transfers whose task was cancelled.
        var cancellations: [UInt64] = []
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// One attempt's cancellation state: the cancellation handler may run before,
    /// during or after submission, and must find the job wherever it is.
    private final class Ticket: Sendable {
        enum Phase { case waiting, submitted, cancelled }
        let id: UInt64
        let phase = Mutex(Phase.waiting)
        init(id: UInt64) { self.id = id }
    }

    let maximumConcurrent: Int
    private let shared = Mutex(Shared())
    private let ids = Atomic<UInt64>(0)
    /// libcurl's multi handle. Other threads call only `curl_multi_wakeup` on it,
    /// which libcurl documents as thread-safe, and only under `shared`'s lock
    /// while the loop is not stopped; everything else, freeing it included,
    /// happens on the engine's thread.
    nonisolated(unsafe) private let multi: UnsafeMutableRawPointer

    private static let globalInit: Bool = ccurl_global_init() == CURLE_OK

    init(maximumConcurrent: Int) {
        precondition(Self.globalInit, "curl_global_init failed")
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        self.maximumConcurrent = max(1, maximumConcurrent)
        // Keep an idle connection for every transfer that may run at once.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, self.maximumConcurrent)
        let thread = Thread { [self] in
            CurlLoop(engine: self, multi: self.multi).run()
        }
        thread.name = "inboxwatch.http.curl"
        thread.start()
    }

    /// Runs one transfer; the task's cancellation stops it and answers `.cancelled`.
    func perform(_ transfer: PreparedTransfer) async -> Result<HTTPResponse, TransferFailure> {
        let ticket = Ticket(id: ids.wrappingAdd(1, ordering: .relaxed).newValue)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Completion) in
                submit(Job(id: ticket.id, transfer: transfer, continuation: continuation), ticket: ticket)
            }
        } onCancel: {
            cancel(ticket, target: transfer.target)
        }
    }

    private func submit(_ job: Job, ticket: Ticket) {
        // Lock order everywhere: ticket, then shared.
        let rejection: TransferFailure? = ticket.phase.withLock { phase in
            guard phase == .waiting else { return .cancelled(job.transfer.target) }
            phase = .submitted
            return shared.withLock { shared in
                guard shared.lifecycle == .running else { return .shutDown(job.transfer.target) }
                shared.pending.append(job)
                curl_multi_wakeup(multi)
                return nil
            }
        }
        if let rejection { job.continuation.resume(returning: .failure(rejection)) }
    }

    private func cancel(_ ticket: Ticket, target: String) {
        let waiting: Job? = ticket.phase.withLock { phase in
            switch phase {
            case .waiting:
                phase = .cancelled  // `submit` answers `.cancelled`
                return nil
            case .cancelled:
                return nil
            case .submitted:
                return shared.withLock { shared in
                    if let index = shared.pending.firstIndex(where: { $0.id == ticket.id }) {
                        return shared.pending.remove(at: index)
                    }
                    // Running (or just finished: the loop then ignores the id).
                    if shared.lifecycle == .running {
                        shared.cancellations.append(ticket.id)
                        curl_multi_wakeup(multi)
                    }
                    return nil
                }
            }
        }
        waiting?.continuation.resume(returning: .failure(.cancelled(target)))
    }

    /// Asks the loop to stop; every transfer, running or waiting, answers `.shutDown`.
    func requestStop() {
        shared.withLock { shared in
            guard shared.lifecycle == .running else { return }
            shared.lifecycle = .stopping
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the loop and returns once its thread has freed libcurl's handles.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = shared.withLock { shared in
                if shared.lifecycle == .stopped { return true }
                shared.stopWaiters.append(continuation)
                if shared.lifecycle == .running {
                    shared.lifecycle = .stopping
                    curl_multi_wakeup(multi)
                }
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    // MARK: Called on the curl thread

    /// New jobs (up to `capacity`), cancellations, and whether to stop; when
    /// stopping, every waiting job is handed over to be failed.
    func intake(capacity: Int) -> Intake {
        shared.withLock { shared in
            let cancellations = shared.cancellations
            shared.cancellations.removeAll()
            let stopping = shared.lifecycle != .running
            let count = stopping ? shared.pending.count : min(max(0, capacity), shared.pending.count)
            let jobs = Array(shared.pending.prefix(count))
            shared.pending.removeFirst(count)
            return Intake(jobs: jobs, cancellations: cancellations, stopping: stopping)
        }
    }

    /// Marks the loop stopped (no more wake-ups touch the multi handle) and returns who waits for it.
    func markStopped() -> [CheckedContinuation<Void, Never>] {
        shared.withLock { shared in
            shared.lifecycle = .stopped
            defer { shared.stopWaiters.removeAll() }
            return shared.stopWaiters
        }
    }
}
