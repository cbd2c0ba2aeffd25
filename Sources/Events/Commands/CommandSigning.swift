import Crypto
import Foundation

/// Signs remediation commands with an issuer's Ed25519 key, so the action worker runs only
/// commands from issuers it trusts. The signature covers the command's canonical bytes: the
/// command as `EventEncoder` writes it (sorted keys, millisecond times) without its signature.
public struct CommandSigner: Sendable {
    /// Names the key, so a worker trusting several issuers knows which public key to check with.
    public let keyId: String
    /// The 32-byte seed (Crypto's key types are not `Sendable` on Linux; a key is cheap to rebuild).
    private let seed: Data
    public let publicKeyBase64: String

    /// A key from its 32-byte seed in base64 (what `inboxwatch keys generate` writes).
    public init(keyId: String, privateKeyBase64: String) throws(SigningKeyError) {
        guard !keyId.isEmpty else { throw SigningKeyError("the signing key needs an id (e.g. correlator-1)") }
        let text = privateKeyBase64.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Data(base64Encoded: text), raw.count == 32 else {
            throw SigningKeyError(
                "the signing key is not a base64 Ed25519 private key of 32 bytes; make one with `inboxwatch keys generate`"
            )
        }
        do {
            publicKeyBase64 = try Curve25519.Signing.PrivateKey(rawRepresentation: raw).publicKey.rawRepresentation
                .base64EncodedString()
        } catch {
            throw SigningKeyError("the signing key is not a valid Ed25519 private key: \(error)")
        }
        seed = raw
        self.keyId = keyId
    }

    /// Reads the key from a file; the message names the file, never its content.
    public init(keyId: String, file path: String) throws(SigningKeyError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SigningKeyError("cannot read the signing key file \(path): \(error.localizedDescription)")
        }
        do {
            try self.init(keyId: keyId, privateKeyBase64: text)
        } catch {
            throw SigningKeyError("\(path): \(error.message)")
        }
    }

    /// A new random key pair: the private key to keep secret, the public key to hand to workers.
    public static func generate() -> (privateKeyBase64: String, publicKeyBase64: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (key.rawRepresentation.base64EncodedString(), key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// The command with its signature.
    public func sign(_ command: RemediationCommand) throws -> RemediationCommand {
        var signed = command
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let signature = try key.signature(for: try command.canonicalBytes())
        signed.signature = RemediationCommand.Signature(keyId: keyId, value: signature.base64EncodedString())
        return signed
    }
}

/// Checks commands against the public keys of trusted issuers.
public struct CommandVerifier: Sendable {
    /// Raw 32-byte public keys by key id.
    private let keys: [String: Data]

    /// Trusted keys by key id, each the base64 of a 32-byte Ed25519 public key.
    public init(trusted: [String: String]) throws(SigningKeyError) {
        var keys: [String: Data] = [:]
        for (id, text) in trusted {
            guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil
            else {
                throw SigningKeyError("trusted key \(id) is not a base64 Ed25519 public key of 32 bytes")
            }
            keys[id] = raw
        }
        self.keys = keys
    }

    /// Why a command's signature is not acceptable, or nil when it is.
    public func problem(with command: RemediationCommand) -> String? {
        guard let signature = command.signature else { return "the command is not signed" }
        guard signature.algorithm == "ed25519" else {
            return "signature algorithm \(signature.algorithm) is not ed25519"
        }
        guard let raw = keys[signature.keyId], let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { return "key \(signature.keyId) is not trusted" }
        guard let bytes = Data(base64Encoded: signature.value) else { return "the signature is not base64" }
        guard let canonical = try? command.canonicalBytes(), key.isValidSignature(bytes, for: canonical) else {
            return "the signature does not match the command (forged or altered)"
        }
        return nil
    }
}

/// A signing or trusted key that cannot be used; the message says which and what to do.
public struct SigningKeyError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension RemediationCommand {
    /// What the signature covers: the command without its signature, as `EventEncoder` writes it.
    public func canonicalBytes() throws -> [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        return try EventEncoder().encode(unsigned)
    }
}
