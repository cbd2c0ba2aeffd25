import ArgumentParser
import Events
import Foundation

/// `inboxwatch keys generate`: an Ed25519 key pair for signing remediation commands.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Signing keys for remediation commands.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new Ed25519 private key to a file (mode 0600) and print its public key.",
            discussion: """
                Give the private key file to the issuer (the correlator's --signing-key, an analyst's \
                CLI) and the printed public key, with the key id, to the action workers that must trust it.
                """)

        @Option(help: "Where to write the private key; an existing file is never overwritten.") var out: String

        func run() throws {
            guard !FileManager.default.fileExists(atPath: out) else {
                throw ValidationError("\(out) exists: choose another path (a key is never overwritten)")
            }
            let pair = CommandSigner.generate()
            guard
                FileManager.default.createFile(
                    atPath: out, contents: Data((pair.privateKeyBase64 + "\n").utf8),
                    attributes: [.posixPermissions: 0o600])
            else {
                throw ValidationError("cannot write \(out): check that its folder exists and is writable")
            }
            print(pair.publicKeyBase64)
        }
    }
}
