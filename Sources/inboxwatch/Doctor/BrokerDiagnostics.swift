import Events
import Foundation
import Kafka
import Logging
import M365

/// Checks the Kafka side: the cluster answers, and each topic the configured components use
/// exists with the catalog's partition count (keyed topics co-partitioned, one checkpoint
/// partition for the lease) and cleanup policy.
struct BrokerDiagnostics {
    var kafka: KafkaConfiguration
    var catalog: TopicCatalog
    var components: Set<InboxwatchComponent>
    /// The partition count of the keyed topics, when the user says it; else the raw audit topic's.
    var keyedPartitions: Int32?
    var logger: Logger

    /// The topics each component reads or writes.
    func topics(of component: InboxwatchComponent) -> [String] {
        switch component {
        case .audit: [catalog.rawAudit, catalog.collectorCheckpoints, catalog.deadLetter]
        case .mail: [catalog.rawMail, catalog.collectorCheckpoints, catalog.deadLetter]
        case .correlator:
            [
                catalog.rawAudit, catalog.rawMail, catalog.stories, catalog.findingsOCSF, catalog.remediationCommands,
                catalog.remediationOutcomes, catalog.storyVerdicts, catalog.correlatorState,
                catalog.correlatorForwarding, catalog.deadLetter,
            ]
        case .act: [catalog.remediationCommands, catalog.remediationOutcomes, catalog.deadLetter]
        }
    }

    /// Topics keyed by tenant/user, which must all have the same partition count.
    var keyedTopics: Set<String> {
        [
            catalog.rawAudit, catalog.rawMail, catalog.stories, catalog.findingsOCSF, catalog.remediationCommands,
            catalog.correlatorState,
        ]
    }

    /// The checks, and whether the cluster answered (later checks need it).
    func run() async -> (checks: [DiagnosticCheck], reachable: Set<String>) {
        var checks: [DiagnosticCheck] = []
        func add(
            _ check: String, _ component: String, _ result: DiagnosticCheck.Result, _ detail: String,
            _ fix: String? = nil
        ) {
            checks.append(
                DiagnosticCheck(
                    tenant: nil, check: check, component: component, result: result, detail: detail, fix: fix))
        }
        let all = Self.label(components.sorted())
        let present: [String: Int32]
        do {
            let admin = try KafkaAdmin(configuration: kafka, logger: logger)
            present = try await admin.topics(timeoutMilliseconds: 10_000)
        } catch {
            add(
                "broker \(kafka.bootstrapServers)", all, .fail, "the cluster did not answer: \(error.message)",
                "check --bootstrap-servers, that the brokers are up and reachable from here, and the security "
                    + "properties (--property security.protocol=..., sasl.*, ssl.*)")
            return (checks, [])
        }
        var users: [String: [InboxwatchComponent]] = [:]
        for component in components.sorted() {
            for topic in topics(of: component) { users[topic, default: []].append(component) }
        }
        let wanted = catalog.specs.filter { users[$0.name] != nil }
        let existing = wanted.map(\.name).filter { present[$0] != nil }
        let policies = await cleanupPolicies(existing)
        var brokerDetail = "metadata read; \(present.count) topics"
        if case .failure(let reason) = policies { brokerDetail += "; cleanup policies not checked: \(reason)" }
        add("broker \(kafka.bootstrapServers)", all, .pass, brokerDetail)

        let expectedKeyed =
            keyedPartitions ?? present[catalog.rawAudit] ?? present[catalog.rawMail] ?? catalog.keyedPartitions
        let createFix =
            "create the catalog: `inboxwatch topics create --bootstrap-servers \(kafka.bootstrapServers) "
            + "--topic-prefix \(catalog.prefix) --partitions \(expectedKeyed)` (existing topics are left alone)"
        for spec in wanted {
            let component = Self.label(users[spec.name, default: []])
            let check = "topic \(spec.name)"
            guard let partitions = present[spec.name] else {
                add(check, component, .fail, "missing", createFix)
                continue
            }
            var problems: [String] = []
            var fixes: [String] = []
            var warnings: [String] = []
            if keyedTopics.contains(spec.name) {
                if partitions != expectedKeyed {
                    problems.append(
                        "\(partitions) partitions where the keyed topics have \(expectedKeyed): a user's events, state "
                            + "and stories would land on different partitions")
                    fixes.append(
                        "recreate \(spec.name) with \(expectedKeyed) partitions (adding partitions moves keys; a keyed "
                            + "topic must be created with the final count)")
                }
            } else if spec.name == catalog.collectorCheckpoints, partitions != 1 {
                problems.append("\(partitions) partitions; the collectors' lease needs exactly 1")
                fixes.append("recreate \(spec.name) with 1 partition")
            } else if partitions != spec.partitions {
                warnings.append("\(partitions) partitions (the catalog makes \(spec.partitions))")
            }
            let wantedPolicy = spec.configs["cleanup.policy"] ?? "delete"
            var policyText = ""
            switch policies {
            case .success(let configs):
                let actual = configs[spec.name]?["cleanup.policy"] ?? "delete"
                if Set(actual.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    != Set(wantedPolicy.split(separator: ",").map(String.init))
                {
                    problems.append("cleanup.policy=\(actual), needs \(wantedPolicy)")
                    fixes.append(
                        "kafka-configs.sh --bootstrap-server \(kafka.bootstrapServers) --alter --entity-type topics "
                            + "--entity-name \(spec.name) --add-config cleanup.policy=\(wantedPolicy)")
                } else {
                    policyText = ", cleanup.policy=\(actual)"
                }
            case .failure:
                break  // said once, on the broker's line
            }
            if !problems.isEmpty {
                add(check, component, .fail, problems.joined(separator: "; "), fixes.joined(separator: "; "))
            } else if !warnings.isEmpty {
                add(
                    check, component, .warn, warnings.joined(separator: "; ") + policyText,
                    "fine if chosen on purpose; `inboxwatch topics create` makes the catalog's counts")
            } else {
                add(check, component, .pass, "\(partitions) partitions\(policyText)")
            }
        }
        return (checks, Set(existing))
    }

    /// `all` for every component, else the names joined with commas.
    static func label(_ components: [InboxwatchComponent]) -> String {
        Set(components) == Set(InboxwatchComponent.allCases) ? "all" : components.map(\.rawValue).joined(separator: ",")
    }

    enum Policies {
        case success([String: [String: String]])
        case failure(String)
    }

    /// The configs of `topics`, or why they could not be read: the embedded broker does not
    /// answer DescribeConfigs, and an ACL may forbid it; neither is a failure of the setup.
    private func cleanupPolicies(_ topics: [String]) async -> Policies {
        guard !topics.isEmpty else { return .success([:]) }
        do {
            let reader = try KafkaTopicConfigReader(configuration: kafka, logger: logger)
            return .success(try await reader.configs(of: topics, timeoutMilliseconds: 3_000))
        } catch {
            // librdkafka's mock cluster has no controller and never answers; a real cluster
            // answers in milliseconds unless an ACL forbids DescribeConfigs.
            if error.code == .timedOut || error.librdkafkaCode == "_TIMED_OUT" {
                return .failure("the broker did not answer DescribeConfigs (the embedded broker never does)")
            }
            return .failure(error.message)
        }
    }
}
