import Events
import Foundation
import Testing

/// Ed25519 signatures over remediation commands: what the action worker will trust.
@Suite("Command signing")
struct CommandSigningTests {
    static func command() -> RemediationCommand {
        let issued = Date(timeIntervalSince1970: 1_795_132_800)
        return RemediationCommand(
            commandId: "command-1", storyId: "story-1", tenantId: "7d2f5b4e-1c3a-4e8f-9b6d-2a1c3e5f7a9b",
            target: .init(user: "victim@contoso.com", ruleId: "rule-1"), action: .removeInboxRule,
            requestedBy: .init(kind: .autoPolicy, identity: "inboxwatch-correlator", rule: "contain"),
            reason: "forwarding", dryRun: false, issuedAt: issued, expiresAt: issued.addingTimeInterval(3600),
            nonce: "0f1e2d3c")
    }

    @Test("a signed command verifies with the issuer's public key, and survives encoding")
    func signedCommandsVerify() throws {
        let pair = CommandSigner.generate()
        let signer = try CommandSigner(keyId: "correlator-1", privateKeyBase64: pair.privateKeyBase64)
        #expect(signer.publicKeyBase64 == pair.publicKeyBase64)
        let signed = try signer.sign(Self.command())
        #expect(signed.signature?.keyId == "correlator-1")
        let verifier = try CommandVerifier(trusted: ["correlator-1": pair.publicKeyBase64])
        #expect(verifier.problem(with: signed) == nil)
        let decoded = try BoundedJSONDecoder().decodeValue(
            RemediationCommand.self, from: try EventEncoder().encode(signed))
        #expect(verifier.problem(with: decoded) == nil)
    }

    @Test("an altered, unsigned or foreign-key command is refused, each with its reason")
    func tamperedCommandsAreRefused() throws {
        let pair = CommandSigner.generate()
        let signer = try CommandSigner(keyId: "correlator-1", privateKeyBase64: pair.privateKeyBase64)
        let verifier = try CommandVerifier(trusted: ["correlator-1": pair.publicKeyBase64])
        var altered = try signer.sign(Self.command())
        altered.target.user = "ceo@contoso.com"
        #expect(verifier.problem(with: altered)?.contains("does not match") == true)
        #expect(verifier.problem(with: Self.command()) == "the command is not signed")
        let stranger = try CommandSigner(
            keyId: "someone-else", privateKeyBase64: CommandSigner.generate().privateKeyBase64)
        #expect(verifier.problem(with: try stranger.sign(Self.command()))?.contains("not trusted") == true)
        // A key id we trust, signed with another key: forged.
        let impostor = try CommandSigner(
            keyId: "correlator-1", privateKeyBase64: CommandSigner.generate().privateKeyBase64)
        #expect(verifier.problem(with: try impostor.sign(Self.command()))?.contains("does not match") == true)
    }

    @Test("a key file that is not a key is refused by name, without its content in the message")
    func badKeyFilesAreNamed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("iw-key-\(UUID().uuidString)").path
        try "not-a-key-SECRETVALUE".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: SigningKeyError.self) { try CommandSigner(keyId: "k", file: path) }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("SECRETVALUE") == false)
        #expect(error?.message.contains("inboxwatch keys generate") == true)
        #expect(throws: SigningKeyError.self) { try CommandSigner(keyId: "k", file: path + ".missing") }
        #expect(throws: SigningKeyError.self) { try CommandVerifier(trusted: ["k": "short"]) }
    }
}
