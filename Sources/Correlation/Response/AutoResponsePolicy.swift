public import Events
public import Foundation

/// Which stories the correlator answers on its own, with which remediations (issue: the
/// correlator engine, "auto-response"). Off unless configured: an empty policy requests nothing.
///
/// A rule matches a story of one of its detections at or above its criticality; each of its
/// actions becomes one request per target (one per inbox rule of the story for
/// `removeInboxRule`, one per message for the message actions, the user for the rest). The
/// requests are values the engine derives from the story alone, with ids derived from story,
/// rule, action and target: a replay asks for the same commands, which the action worker runs once.
public struct AutoResponsePolicy: Sendable, Hashable, Codable {
    public struct Rule: Sendable, Hashable, Codable {
        public var name: String
        /// `Detection` raw values.
        public var detections: [String]
        public var minimumCriticality: StoryView.Criticality
        public var actions: [RemediationCommand.Action]
        /// Whether the commands ask for a dry run; true unless the policy says otherwise.
        public var dryRun: Bool

        public init(
            name: String, detections: [String], minimumCriticality: StoryView.Criticality,
            actions: [RemediationCommand.Action], dryRun: Bool = true
        ) {
            self.name = name
            self.detections = detections
            self.minimumCriticality = minimumCriticality
            self.actions = actions
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey { case name, detections, minimumCriticality, actions, dryRun }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            detections = try container.decode([String].self, forKey: .detections)
            minimumCriticality = try container.decode(StoryView.Criticality.self, forKey: .minimumCriticality)
            actions = try container.decode([RemediationCommand.Action].self, forKey: .actions)
            dryRun = try container.decodeIfPresent(Bool.self, forKey: .dryRun) ?? true
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    /// Requests nothing.
    public static let off = AutoResponsePolicy()

    public var isOff: Bool { rules.isEmpty }

    /// The policy in a JSON file, checked: every problem named with the rule it is in.
    public init(file path: String) throws(AutoResponsePolicyError) {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw AutoResponsePolicyError(["cannot read \(path): \(error.localizedDescription)"])
        }
        let policy: AutoResponsePolicy
        do {
            policy = try BoundedJSONDecoder().decode(AutoResponsePolicy.self, from: bytes)
        } catch {
            throw AutoResponsePolicyError([
                "\(path): \(error.message)\(error.path.map { " at \($0)" } ?? "") (expected {\"rules\": [{\"name\", \"detections\", \"minimumCriticality\", \"actions\", \"dryRun\"}]})"
            ])
        }
        let problems = policy.problems()
        guard problems.isEmpty else { throw AutoResponsePolicyError(problems.map { "\(path): \($0)" }) }
        self = policy
    }

    /// What is wrong with the rules, each naming where.
    public func problems() -> [String] {
        var problems: [String] = []
        var names: Set<String> = []
        let known = Set(Detection.allCases.map(\.rawValue))
        for (index, rule) in rules.enumerated() {
            let place = "rules[\(index)]"
            if rule.name.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append("\(place).name is empty: name the rule (it is shown on every command it requests)")
            } else if !names.insert(rule.name).inserted {
                problems.append("\(place).name \"\(rule.name)\" is used twice: rule names must be unique")
            }
            if rule.detections.isEmpty {
                problems.append(
                    "\(place).detections is empty: list one or more of \(known.sorted().joined(separator: ", "))")
            }
            for detection in rule.detections where !known.contains(detection) {
                problems.append(
                    "\(place).detections: \"\(detection)\" is not a detection; use one of \(known.sorted().joined(separator: ", "))"
                )
            }
            if rule.actions.isEmpty {
                problems.append("\(place).actions is empty: list the remediations to request")
            }
            if rule.actions.contains(.approve) {
                problems.append(
                    "\(place).actions: approve is an analyst's decision (inboxwatch remediate --approve), never automatic"
                )
            }
        }
        return problems
    }

    /// What the policy asks for this story that the story does not show as requested yet.
    func requests(for story: StoryView, key: String) -> [RemediationRequest] {
        var requests: [RemediationRequest] = []
        for rule in rules
        where rule.detections.contains(story.detection) && story.criticality >= rule.minimumCriticality
            && story.status == .open
        {
            for action in rule.actions {
                for target in Self.targets(of: action, in: story) {
                    let commandId = EventID.derived(
                        "command",
                        from: [story.id, rule.name, action.rawValue, target.messageId ?? "", target.ruleId ?? ""])
                    guard !story.actions.contains(where: { $0.commandId == commandId }),
                        !requests.contains(where: { $0.commandId == commandId })
                    else { continue }
                    requests.append(
                        RemediationRequest(
                            commandId: commandId, storyId: story.id, tenantId: story.tenantId, key: key, target: target,
                            action: action, rule: rule.name,
                            reason:
                                "auto-response rule \(rule.name): \(story.criticality.rawValue) \(story.detection) story \"\(story.title)\"",
                            dryRun: rule.dryRun))
                }
            }
        }
        return requests
    }

    static func targets(of action: RemediationCommand.Action, in story: StoryView) -> [RemediationCommand.Target] {
        switch action {
        case .removeInboxRule:
            story.entities.rules.compactMap { rule in
                rule.id.map { RemediationCommand.Target(user: story.user, ruleId: $0) }
            }
        case .moveMessageToJunk, .deleteMessage:
            story.entities.messageIds.map { RemediationCommand.Target(user: story.user, messageId: $0) }
        case .clearMailboxForwarding, .disableAccount, .revokeSessions, .forcePasswordChange, .confirmCompromised,
            .warnUser:
            [RemediationCommand.Target(user: story.user)]
        case .approve:
            // Only an analyst approves; `problems()` refuses it in a policy.
            []
        }
    }
}

/// A remediation the engine asks for: everything of the command but when it is issued, how long
/// it lives, its nonce and signature, which the correlator adds as it publishes it.
public struct RemediationRequest: Sendable, Hashable {
    public var commandId: String
    public var storyId: String
    public var tenantId: String
    /// The story's record key (`tenant/user`): the command goes to that key.
    public var key: String
    public var target: RemediationCommand.Target
    public var action: RemediationCommand.Action
    public var rule: String
    public var reason: String
    public var dryRun: Bool

    /// Who asks: the correlator, under the policy's rule.
    var requester: RemediationCommand.Requester {
        RemediationCommand.Requester(kind: .autoPolicy, identity: "inboxwatch-correlator", rule: rule)
    }

    /// The command, issued at `issuedAt` and valid for `lifetime`.
    public func command(issuedAt: Date, lifetime: Duration, nonce: String) -> RemediationCommand {
        RemediationCommand(
            commandId: commandId, storyId: storyId, tenantId: tenantId, target: target, action: action,
            requestedBy: requester,
            reason: reason, dryRun: dryRun, issuedAt: issuedAt,
            expiresAt: issuedAt.addingTimeInterval(TimeInterval(lifetime.components.seconds)), nonce: nonce)
    }
}

/// An auto-response policy that cannot be used, with every problem in it.
public struct AutoResponsePolicyError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { "the auto-response policy is not valid:\n  " + problems.joined(separator: "\n  ") }
}
