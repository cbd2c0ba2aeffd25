extension Normalizer {
    /// `UserLoggedIn` / `UserLoginFailed` (RecordType 15). The audit copy has no location and no
    /// risk; detections that need those read the Graph copy of the same sign-in.
    enum AuditSignIn {
        static func apply(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .signIn
            var succeeded = record.operation.lowercased() == "userloggedin"
            if record.resultSucceeded == false { succeeded = false }
            var detail = SecurityEvent.SignInDetail(succeeded: succeeded, fromAuditLog: true)
            detail.errorCode = record.fields.int("ErrorNumber") ?? record.parameter("ErrorNumber").flatMap { Int($0) }
            detail.application = record.fields.text("ApplicationId", "ApplicationDisplayName")
            if let trust = record.parameter("TrustType") {
                detail.knownDevice = !(trust.isEmpty || trust == "0" || trust.lowercased() == "none")
            }
            event.signIn = detail
        }
    }

    /// Authentication methods and security info (MFA registration, phone, authenticator app):
    /// what an attacker changes to keep the account after the password is reset.
    enum SecurityInfo {
        static func isChange(_ record: AuditRecord) -> Bool {
            let operation = record.operation.lowercased()
            if operation.contains("security info") || operation.contains("strong authentication")
                || operation.contains("authentication method")
            {
                return true
            }
            guard operation == "update user." || operation == "update user" else { return false }
            // Only the properties that hold authentication methods; a new job title is not one.
            let names = record.parameters.values.keys.map { $0.lowercased() }
            let updated = record.parameter("Included Updated Properties")?.lowercased() ?? ""
            return names.contains { $0.hasPrefix("strongauthentication") } || updated.contains("strongauthentication")
        }
    }
}
