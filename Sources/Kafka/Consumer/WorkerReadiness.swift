/// Tells a worker's readiness callback whether it can do its work: ready once its state for the
/// first assignment is restored (which needed the brokers), not ready while librdkafka reports
/// the brokers down, ready again once one answers. Only changes are reported.
///
/// The callback is the worker settings' `onReadiness` (the CLI hands in one that sets a
/// condition on `/readyz`); the worker modules do not depend on the service layer.
public struct WorkerReadiness: Sendable {
    public typealias Callback = @Sendable (_ ready: Bool, _ reason: String) -> Void

    let callback: Callback?
    private var restored = false
    private var lastReady: Bool?
    private var lastReason = ""
    private var lastProbe: ContinuousClock.Instant?
    /// How often the brokers are asked directly while they look down.
    static let probeInterval = Duration.seconds(5)

    public init(_ callback: Callback?) {
        self.callback = callback
    }

    /// Before the first assignment: not ready, saying what it waits for.
    public mutating func waiting(_ reason: String) { send(false, reason) }

    /// The first assignment's state is restored: ready unless the brokers are known to be down.
    public mutating func restored(_ consumer: KafkaConsumer) {
        restored = true
        if let problem = consumer.brokerProblem { send(false, problem) } else { send(true, "") }
    }

    /// Checks the consumer's view of the brokers (call it on idle turns of a loop); while they
    /// look down, asks one directly every few seconds, so readiness returns when they do.
    public mutating func check(_ consumer: KafkaConsumer) async {
        guard callback != nil else { return }
        if consumer.brokerProblem != nil {
            let now = ContinuousClock.now
            if lastProbe.map({ now - $0 >= Self.probeInterval }) ?? true {
                lastProbe = now
                _ = await consumer.checkBroker()
            }
        }
        if let problem = consumer.brokerProblem {
            send(false, problem)
        } else if restored {
            send(true, "")
        }
    }

    private mutating func send(_ ready: Bool, _ reason: String) {
        guard let callback, ready != lastReady || reason != lastReason else { return }
        lastReady = ready
        lastReason = reason
        callback(ready, reason)
    }
}
