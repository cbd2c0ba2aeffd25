/// Shared by every worker: configuration, structured logs, metrics, health and readiness.
public enum InboxwatchService {}
