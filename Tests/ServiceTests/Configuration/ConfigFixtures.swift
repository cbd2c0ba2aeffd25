import Foundation
import Service

/// A temporary folder for configuration files and the files they name.
struct ConfigFixture {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("inboxwatch-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The layers of a file written from `text`, with `environment` and `flags` over it.
    func layers(
        _ name: String, _ text: String, environment: [String: String] = [:], flags: [String: ConfigRawValue] = [:]
    ) throws -> ConfigurationLayers {
        let path = try write(name, text)
        return ConfigurationLayers(file: try ConfigFile(path: path), environment: environment, flags: flags)
    }

    /// A valid configuration naming a secret file in the folder.
    func validYAML() throws -> String {
        let secret = try write("secrets/contoso", "collector-secret-value\n")
        return """
            kafka:
              bootstrapServers: kafka-1:9092
            tenants:
              contoso:
                id: contoso.onmicrosoft.com
                clientId: app-1
                clientSecretFile: \(secret)
            correlator:
              grace: 10m
            """
    }
}
