import Foundation
import Logging
import M365

/// Runs one mail source cycle after cycle and says how it is doing.
///
/// A failed cycle fails that source only: it is reported `degraded` (Graph or Kafka trouble
/// that may pass) or `unhealthy` (credentials refused, a permission missing: someone must act),
/// logged, and tried again next cycle, while the other sources go on. Health is reported on
/// every change, so "working, nothing new" is never confused with "cannot work".
///
/// With `once`, a source runs until one cycle succeeds, at most `onceAttempts` times (a
/// failure that cannot pass ends it at once), and the loop returns the last failure, if any.
struct MailSourceLoop: Sendable {
    let tenantId: String
    /// The health source, `mail/signIns`, `mail/mailboxes`, ...
    let source: String
    let pollInterval: Duration
    let once: Bool
    let onceAttempts: Int
    let clock: M365Clock
    let logger: Logger
    let health: CollectorHealthSink

    func run<State>(
        _ initial: State, cycle: (inout State) async throws(CollectorError) -> Void
    ) async -> CollectorError? {
        var state = initial
        var lastStatus: CollectorHealth.Status?
        var attempts = 0
        func report(_ status: CollectorHealth.Status, _ reason: String) {
            guard status != lastStatus else { return }
            lastStatus = status
            health(
                CollectorHealth(tenantId: tenantId, source: source, status: status, reason: reason, since: clock.now()))
        }
        while !Task.isCancelled {
            do throws(CollectorError) {
                try await cycle(&state)
                report(.healthy, "")
                if once { return nil }
            } catch {
                attempts += 1
                let cannotPass = error.code == .credentialsRejected || error.code == .missingPermission
                report(cannotPass ? .unhealthy : .degraded, error.message)
                logger.error(
                    "mail source cycle failed; retrying next cycle",
                    metadata: ["source": "\(source)", "code": "\(error.code)", "error": "\(error.message)"])
                if once {
                    if !error.isRetriable || attempts >= onceAttempts { return error }
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
            }
            try? await Task.sleep(for: pollInterval)
        }
        return nil
    }
}
