import Events
import Metrics

/// What the action worker reports through swift-metrics: commands by final outcome and action,
/// and how many outcomes its memory holds.
enum ActionWorkerMetrics {
    static let actions = "inboxwatch_actions_total"
    static let remembered = "inboxwatch_action_worker_remembered_outcomes"

    /// Counts final outcomes only: `accepted` and `held` are steps on the way to one.
    static func written(_ outcomes: [RemediationOutcome]) {
        for outcome in outcomes where outcome.status.isFinal {
            Counter(
                label: actions, dimensions: [("action", outcome.action.rawValue), ("status", outcome.status.rawValue)]
            ).increment()
        }
    }

    static func memory(outcomes: Int) {
        Gauge(label: remembered).record(outcomes)
    }
}
