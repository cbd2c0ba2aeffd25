import ArgumentParser
import Collector

/// The action worker's app registration, which `inboxwatch doctor` checks beside the
/// collectors' app: its own client id and credential, never printed.
struct ActionAppOptions: ParsableArguments {
    @Option(help: "The action app registration's Application (client) ID (checks the act component).")
    var actionClientId: String?
    @Option(help: "A file holding the action app's client secret.")
    var actionClientSecretFile: String?
    @Option(help: "An environment variable holding the action app's client secret.")
    var actionClientSecretEnv: String?
    @Option(help: "A PEM file with the action app certificate's RSA private key.")
    var actionCertificateKeyFile: String?
    @Option(help: "The action app certificate's thumbprint, as the Azure portal shows it.")
    var actionCertificateThumbprint: String?

    func validate() throws {
        let given = [actionClientSecretFile, actionClientSecretEnv, actionCertificateKeyFile].compactMap { $0 }.count
        if actionClientId == nil, given > 0 {
            throw ValidationError("an action-app credential was given without --action-client-id")
        }
        if given > 1 {
            throw ValidationError(
                "give one action-app credential: --action-client-secret-file, --action-client-secret-env, or "
                    + "--action-certificate-key-file with --action-certificate-thumbprint")
        }
        if actionCertificateKeyFile != nil, actionCertificateThumbprint == nil {
            throw ValidationError("--action-certificate-thumbprint is needed with --action-certificate-key-file")
        }
    }

    /// The action app in `tenant`, as a collector tenant's settings with the action app's
    /// credential (the action worker reads the same shape); nil without `--action-client-id`.
    func settings(for tenant: TenantSettings) -> TenantSettings? {
        guard let actionClientId else { return nil }
        var settings = tenant
        settings.clientId = actionClientId
        settings.clientSecretFile = actionClientSecretFile
        settings.certificateKeyFile = actionCertificateKeyFile
        settings.certificateThumbprint = actionCertificateThumbprint
        settings.clientSecretEnv =
            actionClientSecretEnv
            ?? (actionClientSecretFile == nil && actionCertificateKeyFile == nil
                ? "INBOXWATCH_ACTION_CLIENT_SECRET" : nil)
        return settings
    }
}
