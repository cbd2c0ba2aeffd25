import ArgumentParser
import M365

/// `--components audit,mail,correlator,act` (or `all`): which parts of Inboxwatch this
/// deployment runs, so the doctor checks only what they need.
struct ComponentsArgument: ExpressibleByArgument, Sendable {
    var components: Set<InboxwatchComponent>

    init(components: Set<InboxwatchComponent>) { self.components = components }

    init?(argument: String) {
        var components: Set<InboxwatchComponent> = []
        for part in argument.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "all" {
                components.formUnion(InboxwatchComponent.allCases)
            } else if let component = InboxwatchComponent(rawValue: name) {
                components.insert(component)
            } else {
                return nil
            }
        }
        guard !components.isEmpty else { return nil }
        self.components = components
    }

    var defaultValueDescription: String {
        components.count == InboxwatchComponent.allCases.count
            ? "all" : components.sorted().map(\.rawValue).joined(separator: ",")
    }

    static var allValueStrings: [String] { InboxwatchComponent.allCases.map(\.rawValue) + ["all"] }
}
