public import Foundation

/// Ages as people read them: `42 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
public enum DiagnosticTime {
    public static func age(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded()))
        switch total {
        case ..<60: return "\(total) s"
        case ..<3600: return "\(total / 60) min"
        case ..<86_400: return "\(total / 3600) h \(total % 3600 / 60) min"
        default: return "\(total / 86_400) d \(total % 86_400 / 3600) h"
        }
    }
}
