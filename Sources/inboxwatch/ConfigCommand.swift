import Actions
import ArgumentParser
import Correlation
import Events
import Foundation
import Service

/// `inboxwatch config`: the one configuration file every worker reads.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file (YAML or JSON) before the workers read it.",
        subcommands: [ConfigCheckCommand.self])
}

/// `inboxwatch config check FILE`: every problem, each with its key, or what each worker would run with.
struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration and name every problem: the key, what is wrong, what would be right.",
        discussion: """
            Reads FILE as the workers would (with INBOXWATCH_* environment variables over it; \
            deploy/config.example.yaml documents every key), checks every key, the files it names \
            (policies, tuning, keys) and the rules across keys, and prints all problems at once \
            (exit 1), or a summary of what each worker would run with (exit 0). Secrets are shown \
            as <secret>.
            """)

    @Argument(help: "The configuration file (.yaml, .yml or .json).") var file: String

    func run() async throws {
        let loaded: ConfigFile
        do {
            loaded = try ConfigFile(path: file)
        } catch {
            report(error.problems)
        }
        let layers = ConfigurationLayers(file: loaded)
        let problems = ConfigurationCheck(fileValidators: WorkerFileValidators.all).problems(in: layers)
        guard problems.isEmpty else { report(problems) }
        print("\(file): OK (\(loaded.format.rawValue.uppercased())); the workers would run with:")
        print(ConfigurationSummary(layers))
    }

    private func report(_ problems: [ConfigProblem]) -> Never {
        let noun = problems.count == 1 ? "problem" : "problems"
        var text = "\(file): \(problems.count) \(noun)\n"
        for problem in problems { text += "  \(problem)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(1)
    }
}

/// The worker modules' own parsers, as checks of the files the configuration names, so
/// `config check` finds in advance what the worker would refuse at start.
enum WorkerFileValidators {
    static let all: [String: ConfigurationCheck.FileValidator] = [
        "actionWorker.policy": { path in
            do {
                let policy = try ActionPolicy(file: path)
                if policy.allowedActions.contains(.clearMailboxForwarding) {
                    return "allowedActions: clearMailboxForwarding cannot be carried out yet; remove it"
                }
                return nil
            } catch {
                return String(describing: error)
            }
        },
        "correlator.detectionTuning": { path in problem { _ = try DetectionTuning(file: path) } },
        "correlator.autoResponsePolicy": { path in problem { _ = try AutoResponsePolicy(file: path) } },
        "correlator.signingKeyFile": { path in
            do {
                _ = try CommandSigner(keyId: "check", file: path)
                return nil
            } catch {
                return (error as? SigningKeyError)?.message ?? String(describing: error)
            }
        },
        "actionWorker.trustedKeys.*": { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "cannot read \(path)" }
            do {
                _ = try CommandVerifier(trusted: ["check": text.trimmingCharacters(in: .whitespacesAndNewlines)])
                return nil
            } catch {
                return "\(path): \((error as? SigningKeyError)?.message ?? String(describing: error))"
            }
        },
    ]

    /// What `parse` refuses, in the worker module's own words; nil when it accepts the file.
    private static func problem(_ parse: () throws -> Void) -> String? {
        do {
            try parse()
            return nil
        } catch {
            return String(describing: error)
        }
    }
}
