import Events
import Foundation
import Kafka
import Logging
import M365

/// How long ago the newest record of a tenant reached a raw topic: the end-to-end view of
/// "is anything being collected", beside the API-side view of the newest content.
struct RawTopicFreshness {
    var kafka: KafkaConfiguration
    var staleAfter: TimeInterval
    var logger: Logger
    /// Records read from the end of each partition; the newest of a tenant is among them unless
    /// other tenants published that many since.
    var tail = 200

    /// One check per tenant for `topic`, read once for all tenants.
    func check(topic: String, component: InboxwatchComponent, tenants: [String], collector: String) async
        -> [DiagnosticCheck]
    {
        var newest: [String: Int64] = [:]
        var total: Int64 = 0
        let prefixes = tenants.map { ($0, $0.lowercased() + "/") }
        do {
            try await KafkaTopicReader.read(
                topic, configuration: kafka, lastPerPartition: tail, logger: logger,
                onPartition: { _, low, high in total += high - low }
            ) { message in
                guard let key = message.keyString?.lowercased(), let time = message.timestampMilliseconds else {
                    return
                }
                for (tenant, prefix) in prefixes where key.hasPrefix(prefix) {
                    newest[tenant] = max(newest[tenant] ?? .min, time)
                }
            }
        } catch {
            return tenants.map {
                DiagnosticCheck(
                    tenant: $0, check: "newest record \(topic)", component: component.rawValue, result: .warn,
                    detail: "could not read the topic: \(error.message)", fix: "check the broker checks above")
            }
        }
        let now = Date()
        return tenants.map { tenant in
            let check = "newest record \(topic)"
            guard let millis = newest[tenant] else {
                let seen =
                    total == 0
                    ? "the topic is empty" : "none of the last \(tail) records per partition is this tenant's"
                return DiagnosticCheck(
                    tenant: tenant, check: check, component: component.rawValue, result: .warn,
                    detail: "nothing collected for this tenant yet (\(seen))",
                    fix: "start `\(collector)` for the tenant; its log says what it collects")
            }
            let age = now.timeIntervalSince(Date(timeIntervalSince1970: Double(millis) / 1000))
            return age <= staleAfter
                ? DiagnosticCheck(
                    tenant: tenant, check: check, component: component.rawValue, result: .pass,
                    detail: "published \(DiagnosticTime.age(age)) ago")
                : DiagnosticCheck(
                    tenant: tenant, check: check, component: component.rawValue, result: .warn,
                    detail: "the newest record was published \(DiagnosticTime.age(age)) ago",
                    fix: "check that `\(collector)` runs for this tenant and its health (a refused credential or "
                        + "missing permission stops it)")
        }
    }
}
