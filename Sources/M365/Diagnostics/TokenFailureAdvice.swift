/// What a failed token request means and what to do, in the words of the Entra admin center:
/// an AADSTS code alone ("AADSTS7000215") helps nobody at 3 a.m.
public enum TokenFailureAdvice {
    /// The meaning of `error` and the fix, for the app `appName` (`collector app`, `action app`)
    /// signing in as `clientId` to `tenantId`. Never includes a secret.
    public static func explain(_ error: TokenError, appName: String, clientId: String, tenantId: String)
        -> (meaning: String, fix: String)
    {
        let credentials =
            "Entra admin center → Identity → Applications → App registrations → the app (client id \(clientId)) "
            + "→ Certificates & secrets"
        switch (error.aadsts, error.code) {
        case (7_000_215?, _):
            return (
                "the client secret is wrong (AADSTS7000215)",
                "give the secret's Value, not its Secret ID, as shown once when it was created under \(credentials); "
                    + "if it was not kept, create a new client secret there and update the secret file or variable"
            )
        case (7_000_222?, _), (_, .expiredSecret):
            return (
                "the client secret has expired (AADSTS7000222)",
                "create a new client secret under \(credentials) and update the secret file or variable; "
                    + "a certificate (--certificate-key-file) avoids secret expiry surprises"
            )
        case (700_016?, _), (_, .unauthorizedClient):
            return (
                "no app with client id \(clientId) exists in tenant \(tenantId) (AADSTS700016)",
                "check the client id (the app's Overview → Application (client) ID) and the tenant id; an app "
                    + "registered in another tenant needs an administrator of \(tenantId) to consent to it"
            )
        case (90002?, _), (_, .tenantNotFound):
            return (
                "tenant \(tenantId) does not exist in this cloud (AADSTS90002)",
                "check --tenant (Entra admin center → Overview → Tenant ID) and that the tenant is in the commercial "
                    + "cloud (national clouds have other endpoints)"
            )
        case (700_027?, _), (700_024?, _), (700_023?, _), (700_021?, _), (50027?, _), (_, .signingFailed):
            return (
                "the certificate assertion was refused (\(error.aadsts.map { "AADSTS\($0)" } ?? error.code.description))",
                "upload the certificate's public part (.cer/.pem) under \(credentials) → Certificates, pass its "
                    + "Thumbprint as --certificate-thumbprint and the matching private key as --certificate-key-file, "
                    + "and check this machine's clock"
            )
        case (500_011?, _), (_, .invalidResource):
            return (
                "the tenant has no service principal for the resource (AADSTS500011)",
                "the tenant must have the service (Microsoft 365 / Office 365 Management APIs) and an administrator "
                    + "must grant the \(appName) a permission on it, with admin consent"
            )
        case (_, .invalidClient):
            return (
                "the credential was refused (\(error.aadsts.map { "AADSTS\($0)" } ?? "invalid_client"))",
                "check the secret or certificate of the \(appName) under \(credentials)"
            )
        case (_, .transport):
            return (
                "the token endpoint could not be reached",
                "check the network, HTTPS_PROXY/NO_PROXY and the endpoint (--simulator URL when testing)"
            )
        case (_, .serviceUnavailable):
            return ("Entra ID is unavailable", "try again in a few minutes; see status.cloud.microsoft")
        default:
            return (
                "Entra refused the token request (\(error.aadsts.map { "AADSTS\($0)" } ?? error.code.description))",
                "read Entra's message above; check the tenant id, client id and credential of the \(appName)"
            )
        }
    }
}
