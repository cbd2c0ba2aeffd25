import Events
import Foundation

extension Normalizer {
    /// One Management Activity record, with the fields every kind needs read once: the
    /// operation, the numbers that may be strings, and the parameters of every shape flattened.
    struct AuditRecord: Sendable {
        let fields: Fields
        let operation: String
        let recordType: Int?
        let userType: Int?
        let userId: String?
        let parameters: ParameterList

        init(_ fields: Fields) {
            self.fields = fields
            operation = fields.text("Operation") ?? ""
            recordType = fields.int("RecordType")
            userType = fields.int("UserType")
            userId = fields.text("UserId")
            var parameters = ParameterList()
            // Cmdlet arguments first: they are what the operation did; the rest describes the session.
            for field in [
                "Parameters", "OperationProperties", "ExtendedProperties", "ModifiedProperties", "DeviceProperties",
            ] {
                parameters.read(fields[field], field: field)
            }
            self.parameters = parameters
        }

        var actorType: SecurityEvent.ActorType { ActorKind.classify(userType: userType, userId: userId) }

        /// `Succeeded`, `PartiallySucceeded`, `Success`, `True` → true; `Failed`, `False` → false.
        var resultSucceeded: Bool? {
            guard let status = fields.text("ResultStatus")?.lowercased() else { return nil }
            switch status {
            case "succeeded", "success", "partiallysucceeded", "true": return true
            case "failed", "failure", "false": return false
            default: return nil
            }
        }

        /// Where the operation came from; sign-ins name the client in `ActorIpAddress`.
        var ipAddress: String? {
            let names =
                isSignIn
                ? ["ActorIpAddress", "ClientIP", "ClientIPAddress"] : ["ClientIP", "ClientIPAddress", "ActorIpAddress"]
            for name in names {
                if let address = IPAddress.normalize(fields.text(name)) { return address }
            }
            return nil
        }

        var isSignIn: Bool {
            let operation = operation.lowercased()
            return operation == "userloggedin" || operation == "userloginfailed"
        }

        /// A parameter by any of its names, present even when empty (a cleared setting).
        func parameter(_ names: String...) -> String? {
            for name in names {
                if let value = parameters[name] { return value }
            }
            return nil
        }

        func flag(_ names: String...) -> Bool {
            names.contains { name in parameters[name].flatMap(Fields.flag) ?? false }
        }
    }
}
