import Events
import Foundation

extension Normalizer {
    /// Graph resources from the mail collector, by resource kind.
    enum GraphNormalization {
        /// One resource with what every kind reads from its envelope.
        struct Resource: Sendable {
            let envelope: RawMailEnvelope
            let fields: Fields
            let origin: Origin

            var isRemoved: Bool { envelope.changeKind == .removed || fields["@removed"] != nil }

            /// The first of `names` that is a time; nil when none is.
            func time(_ names: String...) -> Date? {
                for name in names {
                    if let text = fields.text(name), let date = MicrosoftTime.parse(text) { return date }
                }
                return nil
            }

            /// An event-like resource must carry its own time: falling back to when it was collected
            /// would put a late sign-in in the wrong window.
            func requiredTime(_ names: String...) throws(NormalizationError) -> Date {
                for name in names {
                    if let text = fields.text(name), let date = MicrosoftTime.parse(text) { return date }
                }
                let found = names.compactMap { name in fields.text(name).map { "\(name) \"\($0.prefix(40))\"" } }
                throw NormalizationError(
                    code: .missingEventTime,
                    message: "\(envelope.resourceKind.rawValue) \(envelope.resourceId) has no usable "
                        + names.joined(separator: " / ")
                        + (found.isEmpty ? "" : " (has " + found.joined(separator: ", ") + ")"))
            }

            /// The resource's own scalar members, plus how it changed.
            var parameters: [String: String] {
                var parameters: [String: String] = ["changeKind": envelope.changeKind.rawValue]
                for (name, value) in fields.members where parameters[name] == nil {
                    switch value {
                    case .string, .integer, .number, .bool:
                        if let text = Fields.text(value) { parameters[name] = text }
                    default: break
                    }
                }
                return parameters
            }

            func event(
                _ kind: SecurityEvent.Kind, time: Date, actorType: SecurityEvent.ActorType, user: String? = nil,
                ipAddress: String? = nil
            ) -> SecurityEvent {
                origin.event(
                    kind: kind,
                    user: origin.user(
                        orKeyFor: user ?? envelope.mailbox ?? fields.text("userPrincipalName", "recipientEmailAddress")),
                    time: time, operation: envelope.resourceKind.rawValue, actorType: actorType, ipAddress: ipAddress,
                    parameters: parameters)
            }
        }

        static func normalize(_ envelope: RawMailEnvelope, origin: Origin) throws(NormalizationError) -> SecurityEvent {
            guard let fields = Fields(envelope.resource) else {
                throw NormalizationError(
                    code: .malformedRecord,
                    message: "\(envelope.resourceKind.rawValue) \(envelope.resourceId) is "
                        + "\(envelope.resource.kindName), not an object")
            }
            let resource = Resource(envelope: envelope, fields: fields, origin: origin)
            switch envelope.resourceKind {
            case .signIn: return try GraphSignIn.signIn(resource)
            case .riskyUser: return try GraphSignIn.riskyUser(resource)
            case .messageRule: return GraphMessageRule.rule(resource)
            case .message: return try GraphMail.message(resource)
            case .threatSubmission: return try GraphMail.threatSubmission(resource)
            case .userReport: return try GraphMail.userReport(resource)
            case .alert: return try GraphAlert.alert(resource)
            case .user: return GraphDirectory.user(resource)
            case .domainList: return GraphDirectory.domains(resource)
            case .mailboxSettings: return resource.event(.generic, time: envelope.collectedAt, actorType: .unknown)
            }
        }

        /// `{emailAddress:{name,address}}` → the address, lower-cased; the name when there is no address.
        static func address(_ value: JSONValue?) -> String? {
            guard let recipient = Fields(value) else { return value?.stringValue.flatMap(AddressList.address) }
            let email = recipient.object("emailAddress")
            return (email?.text("address") ?? recipient.text("address") ?? email?.text("name"))
                .flatMap(AddressList.address)
        }

        static func addresses(_ value: JSONValue?) -> [String] {
            guard case .array(let items)? = value else { return address(value).map { [$0] } ?? [] }
            return AddressList.unique(items.compactMap(address))
        }
    }
}
