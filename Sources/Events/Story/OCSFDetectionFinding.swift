import Foundation

/// A story as an OCSF 1.1 Detection Finding (class 2004), on
/// `inboxwatch.findings.ocsf`, for SIEMs that speak OCSF. The mapping from the
/// story is documented in `schemas/README.md`.
public struct OCSFDetectionFinding: TopicValue, OCSFVersioned {
    public static let schemaName = "ocsf-detection-finding"
    public static let ocsfVersion = "1.1.0"

    public var activityId: Int
    public var activityName: String
    public var categoryUid: Int
    public var categoryName: String
    public var classUid: Int
    public var className: String
    public var typeUid: Int
    public var typeName: String
    /// Milliseconds since the epoch.
    public var time: Int64
    public var severityId: Int
    public var severity: String
    public var statusId: Int
    public var status: String
    public var confidenceScore: Int
    public var message: String
    public var findingInfo: FindingInfo
    public var metadata: Metadata
    public var observables: [Observable]
    public var unmapped: Unmapped

    public var schemaVersion: SchemaVersion { unmapped.schemaVersion }

    public struct FindingInfo: Sendable, Hashable, Codable {
        public var uid: String
        public var title: String
        public var desc: String
        public var createdTime: Int64
        public var modifiedTime: Int64
        public var types: [String]
        public var analytic: Analytic

        enum CodingKeys: String, CodingKey {
            case uid, title, desc, types, analytic
            case createdTime = "created_time"
            case modifiedTime = "modified_time"
        }
    }

    public struct Analytic: Sendable, Hashable, Codable {
        public var name: String
        public var typeId: Int
        public var type: String

        enum CodingKeys: String, CodingKey {
            case name, type
            case typeId = "type_id"
        }
    }

    public struct Metadata: Sendable, Hashable, Codable {
        public var version: String
        public var product: Product
        public var tenantUid: String

        enum CodingKeys: String, CodingKey {
            case version, product
            case tenantUid = "tenant_uid"
        }
    }

    public struct Product: Sendable, Hashable, Codable {
        public var name: String
        public var vendorName: String

        enum CodingKeys: String, CodingKey {
            case name
            case vendorName = "vendor_name"
        }
    }

    /// An entity SIEMs index: a user name, an IP address, an email address.
    public struct Observable: Sendable, Hashable, Codable {
        public var name: String
        public var typeId: Int
        public var type: String
        public var value: String

        enum CodingKeys: String, CodingKey {
            case name, type, value
            case typeId = "type_id"
        }
    }

    /// Inboxwatch's own fields, which OCSF does not define.
    public struct Unmapped: Sendable, Hashable, Codable {
        public var schemaVersion: SchemaVersion
        public var storySequence: Int
        public var criticality: StoryView.Criticality
    }

    enum CodingKeys: String, CodingKey {
        case time, severity, status, message, metadata, observables, unmapped
        case activityId = "activity_id"
        case activityName = "activity_name"
        case categoryUid = "category_uid"
        case categoryName = "category_name"
        case classUid = "class_uid"
        case className = "class_name"
        case typeUid = "type_uid"
        case typeName = "type_name"
        case severityId = "severity_id"
        case statusId = "status_id"
        case confidenceScore = "confidence_score"
        case findingInfo = "finding_info"
    }

    /// The finding for a story event.
    public init(_ event: StoryEvent) {
        let story = event.story
        let activity: (id: Int, name: String) =
            switch event.kind {
            case .opened: (1, "Create")
            case .closed: (3, "Close")
            default: (2, "Update")
            }
        let severity: (id: Int, name: String) =
            switch story.criticality {
            case .low: (2, "Low")
            case .medium: (3, "Medium")
            case .high: (4, "High")
            case .critical: (5, "Critical")
            }
        let status: (id: Int, name: String) =
            switch story.status {
            case .open: story.actions.isEmpty ? (1, "New") : (2, "In Progress")
            case .contained: (2, "In Progress")
            case .closed:
                // An analyst who judged it a false positive or benign closed it without a fix.
                switch story.verdict?.value {
                case .falsePositive, .benign: (3, "Suppressed")
                default: (4, "Resolved")
                }
            }
        activityId = activity.id
        activityName = activity.name
        categoryUid = 2
        categoryName = "Findings"
        classUid = 2004
        className = "Detection Finding"
        typeUid = 200_400 + activity.id
        typeName = "Detection Finding: \(activity.name)"
        time = event.occurredAt.millisecondsSince1970
        severityId = severity.id
        self.severity = severity.name
        statusId = status.id
        self.status = status.name
        confidenceScore = story.confidence
        message = story.summary
        findingInfo = FindingInfo(
            uid: story.id, title: story.title, desc: story.summary, createdTime: story.openedAt.millisecondsSince1970,
            modifiedTime: story.updatedAt.millisecondsSince1970, types: [story.detection],
            analytic: Analytic(name: story.detection, typeId: 1, type: "Rule"))
        metadata = Metadata(
            version: Self.ocsfVersion, product: Product(name: "Inboxwatch", vendorName: "Inboxwatch"),
            tenantUid: story.tenantId)
        var observables = [Observable(name: "user", typeId: 4, type: "User Name", value: story.user)]
        observables += story.entities.ipAddresses.map {
            Observable(name: "ip_address", typeId: 2, type: "IP Address", value: $0.address)
        }
        observables += story.entities.externalRecipients.map {
            Observable(name: "external_recipient", typeId: 5, type: "Email Address", value: $0)
        }
        self.observables = observables
        unmapped = Unmapped(schemaVersion: .v1, storySequence: event.sequence, criticality: story.criticality)
    }

    static func readOCSFVersion(_ tree: JSONValue) throws -> SchemaVersion {
        try JSONValueDecoder.decode(Probe.self, from: tree, codingPath: []).unmapped.schemaVersion
    }

    private struct Probe: Decodable {
        struct Inner: Decodable { var schemaVersion: SchemaVersion }
        var unmapped: Inner
    }
}
