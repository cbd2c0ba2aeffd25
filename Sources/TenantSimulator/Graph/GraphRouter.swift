import Foundation

/// The endpoints of the simulated Graph.
enum GraphRoute: Sendable, Hashable {
    case listUsers, getUser, patchUser, revokeSignInSessions, getManager
    case listTransitiveMemberOf, listTransitiveGroups, listGroups, getGroup
    case listMessages, listFolderMessages, messagesDelta, getMessage, deleteMessage, moveMessage, sendMail
    case getMailFolder
    case listAttachments, getAttachment, getAttachmentContent
    case listRules, getRule, deleteRule, mailboxSettings
    case listDomains, getDomain
    case listSignIns, getSignIn
    case listRiskyUsers, getRiskyUser, confirmCompromised
    case listAlerts, getAlert
    case listEmailThreats, getEmailThreat
}

/// Walks a Graph path (after the version segment) through the resource tree.
enum GraphRouter {
    enum Resolution: Sendable, Hashable {
        case route(GraphRoute, parameters: [String: String])
        /// The first segment Graph would not know, as written.
        case unknownSegment(String)
        case methodNotAllowed
        /// `/me` with an app-only token.
        case meWithoutDelegation
    }

    final class Node: Sendable {
        let children: [String: Node]
        /// The child that takes an id, and the name the id is captured under.
        let parameter: (name: String, node: Node)?
        let methods: [String: GraphRoute]
        let betaOnly: Bool

        init(
            _ methods: [String: GraphRoute] = [:], betaOnly: Bool = false, children: [String: Node] = [:],
            parameter: (name: String, node: Node)? = nil
        ) {
            self.methods = methods
            self.betaOnly = betaOnly
            self.children = children
            self.parameter = parameter
        }
    }

    static let tree: Node = {
        func messageItem() -> Node {
            Node(
                ["GET": .getMessage, "DELETE": .deleteMessage],
                children: [
                    "move": Node(["POST": .moveMessage]),
                    "attachments": Node(
                        ["GET": .listAttachments],
                        parameter: (
                            "attachment",
                            Node(["GET": .getAttachment], children: ["$value": Node(["GET": .getAttachmentContent])])
                        )),
                ])
        }
        let folder = Node(
            ["GET": .getMailFolder],
            children: [
                "messages": Node(
                    ["GET": .listFolderMessages], children: ["delta": Node(["GET": .messagesDelta])],
                    parameter: ("message", messageItem())),
                "messagerules": Node(
                    ["GET": .listRules], parameter: ("rule", Node(["GET": .getRule, "DELETE": .deleteRule]))),
            ])
        let user = Node(
            ["GET": .getUser, "PATCH": .patchUser],
            children: [
                "messages": Node(["GET": .listMessages], parameter: ("message", messageItem())),
                "mailfolders": Node(parameter: ("folder", folder)),
                "manager": Node(["GET": .getManager]),
                "mailboxsettings": Node(["GET": .mailboxSettings]),
                "sendmail": Node(["POST": .sendMail]),
                "revokesigninsessions": Node(["POST": .revokeSignInSessions]),
                "transitivememberof": Node(
                    ["GET": .listTransitiveMemberOf],
                    children: ["microsoft.graph.group": Node(["GET": .listTransitiveGroups])]),
            ])
        return Node(children: [
            "users": Node(["GET": .listUsers], parameter: ("user", user)),
            "domains": Node(["GET": .listDomains], parameter: ("domain", Node(["GET": .getDomain]))),
            "groups": Node(["GET": .listGroups], parameter: ("group", Node(["GET": .getGroup]))),
            "auditlogs": Node(children: [
                "signins": Node(["GET": .listSignIns], parameter: ("signIn", Node(["GET": .getSignIn])))
            ]),
            "identityprotection": Node(children: [
                "riskyusers": Node(
                    ["GET": .listRiskyUsers],
                    children: ["confirmcompromised": Node(["POST": .confirmCompromised])],
                    parameter: ("riskyUser", Node(["GET": .getRiskyUser])))
            ]),
            "security": Node(children: [
                "alerts_v2": Node(["GET": .listAlerts], parameter: ("alert", Node(["GET": .getAlert]))),
                "threatsubmission": Node(
                    betaOnly: true,
                    children: [
                        "emailthreats": Node(
                            ["GET": .listEmailThreats], parameter: ("emailThreat", Node(["GET": .getEmailThreat])))
                    ]),
            ]),
        ])
    }()

    /// Splits `name('key')` and `name(key)` into two segments and drops `()` from
    /// function calls (`delta()`), so both of Graph's spellings route alike.
    static func normalize(_ segments: [String]) -> [String] {
        var out: [String] = []
        for segment in segments {
            guard let open = segment.firstIndex(of: "("), segment.hasSuffix(")") else {
                out.append(segment)
                continue
            }
            out.append(String(segment[..<open]))
            var key = segment[segment.index(after: open)..<segment.index(before: segment.endIndex)]
            if key.count >= 2, key.hasPrefix("'"), key.hasSuffix("'") { key = key.dropFirst().dropLast() }
            if !key.isEmpty { out.append(String(key).replacingOccurrences(of: "''", with: "'")) }
        }
        return out
    }

    /// The path as a template (`/users/{id}/messages/{id}`, segments as written, ids as `{id}`)
    /// and the last id in it: how the request ledger names a read. `nil` when Graph would not know
    /// the path.
    static func template(_ segments: [String], beta: Bool) -> (path: String, lastId: String)? {
        var node = tree
        var path = ""
        var lastId = ""
        for segment in segments {
            if let child = node.children[segment.lowercased()], beta || !child.betaOnly {
                node = child
                path += "/" + segment
            } else if let parameter = node.parameter {
                node = parameter.node
                path += "/{id}"
                lastId = segment
            } else {
                return nil
            }
        }
        return (path, lastId)
    }

    static func resolve(_ segments: [String], method: String, beta: Bool) -> Resolution {
        if let first = segments.first, first.lowercased() == "me" { return .meWithoutDelegation }
        var node = tree
        var parameters: [String: String] = [:]
        for segment in segments {
            if let child = node.children[segment.lowercased()], beta || !child.betaOnly {
                node = child
            } else if let parameter = node.parameter {
                parameters[parameter.name] = segment
                node = parameter.node
            } else {
                return .unknownSegment(segment)
            }
        }
        guard let route = node.methods[method] else {
            return segments.isEmpty ? .unknownSegment("") : .methodNotAllowed
        }
        return .route(route, parameters: parameters)
    }
}
