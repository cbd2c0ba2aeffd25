import Foundation
import M365

/// What `inboxwatch doctor` prints: a table (check, component, result, detail) with the fix
/// under every failure and warning, a summary line, or the same as JSON.
struct DoctorReport: Encodable {
    var checks: [DiagnosticCheck]

    struct Summary: Encodable {
        var pass = 0
        var warn = 0
        var fail = 0
        var skip = 0
    }

    var summary: Summary {
        var summary = Summary()
        for check in checks {
            switch check.result {
            case .pass: summary.pass += 1
            case .warn: summary.warn += 1
            case .fail: summary.fail += 1
            case .skip: summary.skip += 1
            }
        }
        return summary
    }

    var hasFailures: Bool { checks.contains { $0.result == .fail } }

    private enum CodingKeys: String, CodingKey { case checks, summary, ok }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(summary, forKey: .summary)
        try container.encode(!hasFailures, forKey: .ok)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The table, grouped by tenant (the Kafka checks first), with `FAIL`/`WARN` in capitals so
    /// they stand out without colour.
    func text() -> String {
        var lines: [String] = []
        let checkWidth = min(48, checks.map(\.check.count).max() ?? 10)
        let componentWidth = max(9, checks.map(\.component.count).max() ?? 9)
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count + 1)
        }
        var groups: [(String?, [DiagnosticCheck])] = []
        for check in checks {
            if let last = groups.indices.last, groups[last].0 == check.tenant {
                groups[last].1.append(check)
            } else {
                groups.append((check.tenant, [check]))
            }
        }
        for (tenant, group) in groups {
            lines.append(tenant.map { "Tenant \($0)" } ?? "Kafka")
            lines.append(pad("  CHECK", checkWidth + 2) + pad("COMPONENT", componentWidth) + "RESULT  DETAIL")
            for check in group {
                let result =
                    switch check.result {
                    case .pass: "pass"
                    case .warn: "WARN"
                    case .fail: "FAIL"
                    case .skip: "skip"
                    }
                lines.append(
                    "  " + pad(check.check, checkWidth) + pad(check.component, componentWidth) + pad(result, 6) + " "
                        + check.detail)
                if let fix = check.fix, check.result == .fail || check.result == .warn {
                    lines.append("      fix: " + fix)
                }
            }
            lines.append("")
        }
        let summary = self.summary
        lines.append(
            "\(summary.fail) failed, \(summary.warn) warnings, \(summary.pass) passed, \(summary.skip) skipped"
                + (hasFailures ? "" : ": ready"))
        return lines.joined(separator: "\n")
    }
}
