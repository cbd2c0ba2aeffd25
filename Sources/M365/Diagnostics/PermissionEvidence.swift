/// Decides whether an app has a permission from the two things that can be seen without side
/// effects: the token's `roles` claim and a harmless call. The call wins where it can speak (a
/// 403 is a 403 whatever the token says; a success proves a read permission even when the grant
/// does not show in the token, as with Exchange RBAC for Applications); the roles decide write
/// permissions, which no harmless call can prove.
public enum PermissionEvidence {
    /// How the harmless call went.
    public enum ProbeOutcome: Sendable, Hashable {
        case succeeded
        /// 403: what the API said.
        case forbidden(String)
        /// Neither proof nor disproof (404 for the mailbox, throttling, 5xx): what happened.
        case inconclusive(String)
        /// No call was made: none exists for this permission, or it could not be made (why).
        case notRun(String?)
    }

    /// The verdict, the sentence that explains it, and whether granting the permission is the fix.
    public static func judge(
        _ permission: RequiredPermission, roles: Set<String>?, probe: ProbeOutcome
    ) -> (result: DiagnosticCheck.Result, detail: String, grantIsFix: Bool) {
        let granted = roles.map(permission.isGranted(by:))
        let call = permission.probeDescription ?? "no harmless call"
        let rolesText: String =
            switch granted {
            case true?: "in the token's roles"
            case false?: "not in the token's roles"
            case nil: "the token's roles cannot be read"
            }
        let proves: Bool =
            switch permission.probe {
            case .graph(_, _, _, let proves)?: proves
            case .managementSubscriptions?: true
            case nil: false
            }
        switch probe {
        case .forbidden(let message):
            var detail = "\(rolesText); \(call) → 403: \(message)"
            if granted == true {
                detail +=
                    " (the token carries the role but the API refused: admin consent can take minutes to apply; an "
                    + "Exchange application access policy or RBAC for Applications may exclude the mailbox; or the "
                    + "tenant lacks the license the API needs)"
            }
            return (.fail, detail, true)
        case .succeeded:
            switch (granted, proves) {
            case (false?, true):
                return (
                    .pass, "\(rolesText), but \(call) succeeded (granted another way, e.g. RBAC for Applications)",
                    false
                )
            case (false?, false):
                return (.fail, "\(rolesText); \(call) succeeded, which needs only part of it", true)
            case (true?, _):
                return (.pass, "\(rolesText); \(call) succeeded", false)
            case (nil, true):
                return (.pass, "\(call) succeeded", false)
            case (nil, false):
                return (
                    .warn, "\(rolesText), and \(call) needs only part of it: not confirmed", true
                )
            }
        case .inconclusive(let what), .notRun(let what?):
            switch granted {
            case true?: return (.pass, "\(rolesText); \(call): \(what)", false)
            case false?: return (.fail, "\(rolesText); \(call): \(what)", true)
            case nil: return (.warn, "\(rolesText) and \(call) could not confirm it: \(what)", true)
            }
        case .notRun(nil):
            switch granted {
            case true?: return (.pass, "\(rolesText) (no harmless call can confirm it)", false)
            case false?: return (.fail, rolesText, true)
            case nil: return (.warn, "\(rolesText) and no harmless call can confirm it", true)
            }
        }
    }
}
