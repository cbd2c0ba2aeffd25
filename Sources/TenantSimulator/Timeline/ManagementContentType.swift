/// The content types of the Office 365 Management Activity API.
public enum ManagementContentType: String, Sendable, Hashable, CaseIterable, Codable {
    case azureActiveDirectory = "Audit.AzureActiveDirectory"
    case exchange = "Audit.Exchange"
    case sharePoint = "Audit.SharePoint"
    case general = "Audit.General"
    case dlp = "DLP.All"

    /// Case-insensitive, as the service accepts it.
    public init?(parsing text: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame })
        else { return nil }
        self = match
    }

    /// The lower-case slug used inside content ids (`audit_exchange`).
    var slug: String { rawValue.lowercased().replacingOccurrences(of: ".", with: "_") }

    /// DLP needs its own permission.
    var requiredRole: String { self == .dlp ? "ActivityFeed.ReadDlp" : "ActivityFeed.Read" }
}
