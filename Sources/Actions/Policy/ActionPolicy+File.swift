import Events
import Foundation

extension ActionPolicy {
    /// Every key the policy file may hold, with what it takes.
    public static let keys: [String: String] = [
        "mode": "\"dryRun\" or \"enforce\"",
        "tenants": "a list of tenant ids",
        "allowedActions": "a list of actions",
        "protectedUsers": "a list of user principal names or object ids",
        "protectedGroups": "a list of group display names or object ids",
        "capsPerHour": "an object of action → whole number ≥ 0",
        "killSwitch": "true or false",
        "killSwitchFile": "a file path",
        "maximumCommandLifetimeSeconds": "a whole number of seconds, 60 to 604800",
        "clockSkewSeconds": "a whole number of seconds, 0 to 3600",
        "warningMail": "an object with sender, subject, body",
    ]

    /// The policy in a JSON file, checked whole.
    public init(file path: String) throws(ActionPolicyError) {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ActionPolicyError(["cannot read \(path): \(error.localizedDescription)"])
        }
        do {
            try self.init(json: bytes)
        } catch {
            throw ActionPolicyError(error.problems.map { "\(path): \($0)" })
        }
    }

    public init(json bytes: [UInt8]) throws(ActionPolicyError) {
        let root: JSONValue
        do {
            root = try BoundedJSONDecoder().decode(JSONValue.self, from: bytes)
        } catch {
            throw ActionPolicyError(["not JSON: \(error.message)"])
        }
        guard case .object(let members) = root else {
            throw ActionPolicyError([
                "expected an object of policy keys (\(Self.keys.keys.sorted().joined(separator: ", ")))"
            ])
        }
        var reader = PolicyReader()
        var policy = ActionPolicy()
        for key in members.keys.sorted() {
            guard let value = members[key] else { continue }
            switch key {
            case "mode":
                if case .string(let text) = value, let mode = Mode(rawValue: text) {
                    policy.mode = mode
                } else {
                    reader.problems.append("mode: expected \"dryRun\" or \"enforce\"")
                }
            case "tenants": policy.tenants = Set(reader.words(value, at: key).map { $0.lowercased() })
            case "allowedActions": policy.allowedActions = Set(reader.actions(value, at: key))
            case "protectedUsers": policy.protectedUsers = Set(reader.words(value, at: key).map { $0.lowercased() })
            case "protectedGroups": policy.protectedGroups = Set(reader.words(value, at: key).map { $0.lowercased() })
            case "capsPerHour": reader.caps(value, into: &policy.capsPerHour)
            case "killSwitch":
                if case .bool(let flag) = value {
                    policy.killSwitch = flag
                } else {
                    reader.problems.append("killSwitch: expected true or false")
                }
            case "killSwitchFile":
                if case .string(let path) = value, path.hasPrefix("/") {
                    policy.killSwitchFile = path
                } else {
                    reader.problems.append("killSwitchFile: expected an absolute file path")
                }
            case "maximumCommandLifetimeSeconds":
                reader.whole(value, in: 60...604_800, at: key).map { policy.maximumCommandLifetime = TimeInterval($0) }
            case "clockSkewSeconds":
                reader.whole(value, in: 0...3_600, at: key).map { policy.clockSkew = TimeInterval($0) }
            case "warningMail": reader.warningMail(value, into: &policy.warningMail)
            default:
                reader.problems.append(
                    "unknown key \"\(key)\" (a policy holds \(Self.keys.keys.sorted().joined(separator: ", ")))")
            }
        }
        if members["tenants"] == nil || policy.tenants.isEmpty {
            reader.problems.append("tenants: list the tenant ids this worker may act in")
        }
        if members["allowedActions"] == nil || policy.allowedActions.isEmpty {
            reader.problems.append(
                "allowedActions: list the actions this worker may carry out (of \(Self.actionNames))")
        }
        if policy.allowedActions.contains(.warnUser), policy.warningMail.sender == nil {
            reader.problems.append(
                "warningMail.sender: warnUser is allowed, so name the mailbox the warning is sent from")
        }
        guard reader.problems.isEmpty else { throw ActionPolicyError(reader.problems) }
        self = policy
    }

    static var actionNames: String {
        RemediationCommand.Action.allCases.filter(\.changesTenant).map(\.rawValue).joined(separator: ", ")
    }
}

/// Reads policy values, collecting every problem rather than stopping at the first.
private struct PolicyReader {
    var problems: [String] = []

    mutating func words(_ value: JSONValue, at place: String) -> [String] {
        guard case .array(let items) = value else {
            problems.append("\(place): expected a list of strings")
            return []
        }
        var words: [String] = []
        for (index, item) in items.enumerated() {
            if case .string(let text) = item, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                words.append(text.trimmingCharacters(in: .whitespaces))
            } else {
                problems.append("\(place)[\(index)]: expected a non-empty string")
            }
        }
        return words
    }

    mutating func actions(_ value: JSONValue, at place: String) -> [RemediationCommand.Action] {
        words(value, at: place).compactMap { name in
            guard let action = RemediationCommand.Action(rawValue: name), action.changesTenant else {
                problems.append("\(place): \"\(name)\" is not an action; use some of \(ActionPolicy.actionNames)")
                return nil
            }
            return action
        }
    }

    mutating func caps(_ value: JSONValue, into caps: inout [RemediationCommand.Action: Int]) {
        guard case .object(let members) = value else {
            problems.append("capsPerHour: expected an object such as {\"disableAccount\": 5}")
            return
        }
        for name in members.keys.sorted() {
            guard let action = RemediationCommand.Action(rawValue: name), action.changesTenant else {
                problems.append("capsPerHour: \"\(name)\" is not an action; use some of \(ActionPolicy.actionNames)")
                continue
            }
            if let cap = whole(members[name] ?? .null, in: 0...100_000, at: "capsPerHour.\(name)") {
                caps[action] = cap
            }
        }
    }

    mutating func whole(_ value: JSONValue, in range: ClosedRange<Int>, at place: String) -> Int? {
        guard case .integer(let number) = value, range.contains(Int(number)) else {
            problems.append("\(place): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(number)
    }

    mutating func warningMail(_ value: JSONValue, into mail: inout ActionPolicy.WarningMail) {
        guard case .object(let members) = value else {
            problems.append("warningMail: expected an object with sender, subject, body")
            return
        }
        for key in members.keys.sorted() {
            guard case .string(let text) = members[key] ?? .null, !text.isEmpty else {
                problems.append("warningMail.\(key): expected a non-empty string")
                continue
            }
            switch key {
            case "sender":
                if text.contains("@") {
                    mail.sender = text.lowercased()
                } else {
                    problems.append("warningMail.sender: expected a mailbox such as security@contoso.com")
                }
            case "subject": mail.subject = text
            case "body": mail.body = text
            default: problems.append("warningMail: unknown key \"\(key)\" (expected sender, subject, body)")
            }
        }
    }
}
