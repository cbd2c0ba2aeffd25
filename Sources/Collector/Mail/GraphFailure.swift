import M365

/// Turns a Graph error into the collector's terms: refused credentials and missing permissions
/// make a source unhealthy (they do not fix themselves), anything else fails the source for
/// this cycle only. Messages carry Graph's own words, never a token or a secret (``GraphError``
/// and the token provider redact those).
enum GraphFailure {
    /// Credentials refused (no token, or 401 with a fresh one) or a permission missing (403).
    static func isCredentialFailure(_ error: GraphError) -> Bool {
        switch error.code {
        case .authentication: !(error.tokenError?.isRetriable ?? false)
        case .unauthorized, .forbidden: true
        default: false
        }
    }

    /// - Parameters:
    ///   - what: what was being read, for a person (`listing sign-ins`).
    ///   - permission: the application permission the read needs, named on a 403 because
    ///     Graph's "Insufficient privileges" does not say which one is missing.
    static func collectorError(_ what: String, _ error: GraphError, permission: String?) -> CollectorError {
        if error.code == .forbidden {
            let needs = permission.map { " (the app needs \($0))" } ?? ""
            return CollectorError(code: .missingPermission, message: "\(what)\(needs): \(error)", isRetriable: false)
        }
        if isCredentialFailure(error) {
            return CollectorError(code: .credentialsRejected, message: "\(what): \(error)", isRetriable: false)
        }
        return CollectorError(code: .sourceFailed, message: "\(what): \(error)", isRetriable: error.isRetriable)
    }
}
