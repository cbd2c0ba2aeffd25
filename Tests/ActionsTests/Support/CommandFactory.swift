import Actions
import Events
import Foundation

/// Signed commands for tests: an analyst key the worker trusts, and one it does not.
struct CommandFactory: Sendable {
    static let tenant = "7f3b2c1a-4d5e-4f60-9a8b-2c1d0e9f8a7b"
    let trusted: CommandSigner
    let untrusted: CommandSigner
    let verifier: CommandVerifier
    /// The trusted key pair, base64, for a worker or CLI in another process.
    let trustedPrivateKey: String
    let trustedPublicKey: String
    let tenantId: String
    let epoch: Date

    init(tenantId: String = CommandFactory.tenant, epoch: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.tenantId = tenantId
        self.epoch = epoch
        let trustedKey = CommandSigner.generate()
        let untrustedKey = CommandSigner.generate()
        trusted = try! CommandSigner(keyId: "analyst-sam", privateKeyBase64: trustedKey.privateKeyBase64)
        untrusted = try! CommandSigner(keyId: "analyst-sam", privateKeyBase64: untrustedKey.privateKeyBase64)
        verifier = try! CommandVerifier(trusted: ["analyst-sam": trustedKey.publicKeyBase64])
        trustedPrivateKey = trustedKey.privateKeyBase64
        trustedPublicKey = trustedKey.publicKeyBase64
    }

    /// An unsigned command issued at `epoch + issued` seconds, living `lifetime` seconds.
    func unsigned(
        _ id: String, _ action: RemediationCommand.Action = .revokeSessions, user: String = "alice@contoso.com",
        tenant: String? = nil, issued: TimeInterval = 0, lifetime: TimeInterval = 3600,
        dryRun: Bool = false, nonce: String? = nil, approves: String? = nil, messageId: String? = nil,
        ruleId: String? = nil, requester: RemediationCommand.Requester.Kind = .analyst
    ) -> RemediationCommand {
        RemediationCommand(
            commandId: id, storyId: "story-1", tenantId: tenant ?? tenantId,
            target: RemediationCommand.Target(user: user, messageId: messageId, ruleId: ruleId), action: action,
            requestedBy: RemediationCommand.Requester(
                kind: requester, identity: requester == .analyst ? "sam@contoso.com" : "correlator",
                rule: requester == .autoPolicy ? "takeover" : nil),
            reason: "test", dryRun: dryRun, issuedAt: epoch.addingTimeInterval(issued),
            expiresAt: epoch.addingTimeInterval(issued + lifetime), nonce: nonce ?? "nonce-\(id)", approves: approves)
    }

    func signed(
        _ id: String, _ action: RemediationCommand.Action = .revokeSessions, user: String = "alice@contoso.com",
        tenant: String? = nil, issued: TimeInterval = 0, lifetime: TimeInterval = 3600,
        dryRun: Bool = false, nonce: String? = nil, approves: String? = nil, messageId: String? = nil,
        ruleId: String? = nil, requester: RemediationCommand.Requester.Kind = .analyst
    ) -> RemediationCommand {
        try! trusted.sign(
            unsigned(
                id, action, user: user, tenant: tenant, issued: issued, lifetime: lifetime, dryRun: dryRun,
                nonce: nonce, approves: approves, messageId: messageId, ruleId: ruleId, requester: requester))
    }

    /// A policy that enforces every action in the test tenant.
    static func enforcing(tenant: String = tenant, _ change: (inout ActionPolicy) -> Void = { _ in }) -> ActionPolicy {
        var policy = ActionPolicy()
        policy.mode = .enforce
        policy.tenants = [tenant.lowercased()]
        policy.allowedActions = Set(
            RemediationCommand.Action.allCases.filter { $0.changesTenant && $0 != .clearMailboxForwarding })
        policy.warningMail.sender = "security@contoso.com"
        change(&policy)
        return policy
    }
}
