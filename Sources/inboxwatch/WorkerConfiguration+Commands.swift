import ArgumentParser
import Service

// Each worker's keys, mapped to the flags they stand for: a value from the configuration is
// parsed exactly as the flag would be, and a given flag always wins.

extension CycleOptions {
    mutating func validate() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&pollInterval, "collector.pollInterval", flag: "poll-interval")
        try configured.apply(&dedupeHorizon, "collector.dedupeHorizon", flag: "dedupe-horizon")
        try configured.apply(&leaseTimeout, "collector.leaseTimeout", flag: "lease-timeout")
    }
}

extension CollectAuditCommand {
    mutating func applyConfiguration() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&contentTypes, "collector.audit.contentTypes", flag: "content-type")
        try configured.apply(&since, "collector.audit.since", flag: "since")
        try configured.apply(&overlap, "collector.audit.overlap", flag: "overlap")
        try configured.apply(&window, "collector.audit.window", flag: "window")
        try configured.apply(&blobConcurrency, "collector.audit.blobConcurrency", flag: "blob-concurrency")
    }
}

extension CollectMailCommand {
    mutating func applyConfiguration() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&since, "collector.mail.since", flag: "since")
        try configured.apply(&overlap, "collector.mail.overlap", flag: "overlap")
        try configured.apply(&mailboxConcurrency, "collector.mail.mailboxConcurrency", flag: "mailbox-concurrency")
    }
}

extension CorrelateCommand {
    mutating func applyConfiguration() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&groupId, "correlator.groupId", flag: "group-id")
        try configured.apply(&grace, "correlator.grace", flag: "grace")
        try configured.apply(&idleAfter, "correlator.idleAfter", flag: "idle-after")
        try configured.apply(&checkpointInterval, "correlator.checkpointInterval", flag: "checkpoint-interval")
        try configured.apply(&contextWait, "correlator.contextWait", flag: "context-wait")
        try configured.apply(&acceptedDomains, "correlator.acceptedDomains", flag: "accepted-domain")
        try configured.apply(&vips, "correlator.vips", flag: "vip")
        try configured.apply(&allowedExternalDomains, "correlator.allowExternalDomains", flag: "allow-external-domain")
        try configured.apply(&loginThenPhishWindow, "correlator.loginThenPhishWindow", flag: "login-then-phish-window")
        try configured.apply(&detectionTuning, "correlator.detectionTuning", flag: "detection-tuning")
        try configured.apply(&autoResponsePolicy, "correlator.autoResponsePolicy", flag: "auto-response-policy")
        try configured.apply(&signingKey, "correlator.signingKeyFile", flag: "signing-key")
        try configured.apply(&signingKeyId, "correlator.signingKeyId", flag: "signing-key-id")
        try configured.apply(&commandLifetime, "correlator.commandLifetime", flag: "command-lifetime")
        try configured.apply(&transactionalId, "correlator.transactionalId", flag: "transactional-id")
    }
}

extension ActCommand {
    mutating func applyConfiguration() throws {
        let configured = try WorkerConfiguration.get()
        try configured.apply(&policy, "actionWorker.policy", flag: "policy")
        try configured.apply(&groupId, "actionWorker.groupId", flag: "group-id")
        trustedKeys += configured.pairs(under: "actionWorker.trustedKeys", flag: "trusted-key").compactMap(
            KeyFileArgument.init(argument:))
    }
}
