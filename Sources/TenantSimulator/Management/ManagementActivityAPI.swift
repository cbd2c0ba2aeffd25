public import Foundation

/// The Office 365 Management Activity API of the simulated tenant: subscriptions,
/// content listings with `NextPageUri` paging and the documented window rules,
/// and content blobs. Pure: the caller checks the token and applies throttling.
public struct ManagementActivityAPI: Sendable {
    public let world: SimulatedWorld
    public let index: PublicationIndex
    /// `http://127.0.0.1:port`, the host part of every URL this API hands out.
    public let baseURL: String
    let usersById: [String: SimulatedUser]

    public init(world: SimulatedWorld, index: PublicationIndex, baseURL: String) {
        self.world = world
        self.index = index
        self.baseURL = baseURL
        self.usersById = Dictionary(world.directory.users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var feedPath: String { "/api/v1.0/\(world.directory.tenantId)/activity/feed" }

    /// Handles `/api/v1.0/{tenant}/activity/feed/...`.
    /// - Parameter blobExpired: whether a blob should answer as expired although it is not (a fault).
    public func handle(
        _ request: SimRequest, roles: Set<String>, state: inout TenantState, now: Date,
        blobExpired: (ContentBlob) -> Bool = { _ in false }
    ) -> SimResponse {
        let segments = request.segments
        guard segments.count >= 5, segments[0] == "api", segments[1].lowercased() == "v1.0",
            segments[3] == "activity", segments[4] == "feed"
        else { return Self.error(404, "AF20001", "The requested resource was not found.") }
        guard segments[2].lowercased() == world.directory.tenantId else {
            return Self.error(400, "AF20010", "The tenant ID '\(segments[2])' is not valid for this request.")
        }
        let rest = Array(segments.dropFirst(5))
        switch (request.method, rest.first?.lowercased(), rest.count) {
        case ("POST", "subscriptions", 2) where rest[1].lowercased() == "start":
            return start(request, roles: roles, state: &state, now: now)
        case ("POST", "subscriptions", 2) where rest[1].lowercased() == "stop":
            return stop(request, state: &state)
        case ("GET", "subscriptions", 2) where rest[1].lowercased() == "list":
            return list(state: state)
        case ("GET", "subscriptions", 2) where rest[1].lowercased() == "content":
            return content(request, roles: roles, state: state, now: now)
        case ("GET", "audit", 2):
            return blob(contentId: rest[1], roles: roles, now: now, state: state, blobExpired: blobExpired)
        default:
            return Self.error(
                404, "AF20001", "The requested resource was not found: \(request.method) \(request.path).")
        }
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> SimResponse {
        .microsoftError(status, code: code, message: message)
    }

    // MARK: Subscriptions

    private enum ParsedContentType {
        case success(ManagementContentType)
        case failure(SimResponse)
    }

    private func contentType(_ request: SimRequest) -> ParsedContentType {
        guard let text = request.queryValue("contentType"), !text.isEmpty else {
            return .failure(Self.error(400, "AF20001", "Missing parameter: contentType."))
        }
        guard let type = ManagementContentType(parsing: text) else {
            return .failure(Self.error(400, "AF20002", "The content type '\(text)' is not valid."))
        }
        return .success(type)
    }

    private func start(_ request: SimRequest, roles: Set<String>, state: inout TenantState, now: Date) -> SimResponse {
        let type: ManagementContentType
        switch contentType(request) {
        case .success(let value): type = value
        case .failure(let response): return response
        }
        guard roles.contains(type.requiredRole) else { return Self.missingPermission(type.requiredRole) }
        if state.subscriptions[type]?.enabled == true {
            return Self.error(400, "AF20024", "The subscription is already enabled. No property change.")
        }
        state.subscriptions[type] = .init(enabled: true, startedAt: now)
        return subscriptionBody(type, enabled: true)
    }

    private func stop(_ request: SimRequest, state: inout TenantState) -> SimResponse {
        let type: ManagementContentType
        switch contentType(request) {
        case .success(let value): type = value
        case .failure(let response): return response
        }
        guard state.subscriptions[type] != nil else {
            return Self.error(400, "AF20022", "No subscription found for the specified content type.")
        }
        state.subscriptions[type]?.enabled = false
        return .noContent(200)
    }

    private func list(state: TenantState) -> SimResponse {
        let entries: [OrderedJSON] = ManagementContentType.allCases.compactMap { type in
            guard let subscription = state.subscriptions[type] else { return nil }
            return Self.subscriptionDocument(type, enabled: subscription.enabled)
        }
        return .json(200, .array(entries))
    }

    private func subscriptionBody(_ type: ManagementContentType, enabled: Bool) -> SimResponse {
        .json(200, Self.subscriptionDocument(type, enabled: enabled))
    }

    static func subscriptionDocument(_ type: ManagementContentType, enabled: Bool) -> OrderedJSON {
        .object([
            "contentType": .string(type.rawValue),
            "status": .string(enabled ? "enabled" : "disabled"),
            "webhook": .null,
        ])
    }

    static func missingPermission(_ role: String) -> SimResponse {
        error(
            403, "AF10001",
            "The permission set () sent in the request does not include the expected permission \(role).")
    }

    // MARK: Content listing

    private func content(_ request: SimRequest, roles: Set<String>, state: TenantState, now: Date) -> SimResponse {
        let type: ManagementContentType
        switch contentType(request) {
        case .success(let value): type = value
        case .failure(let response): return response
        }
        guard roles.contains(type.requiredRole) else { return Self.missingPermission(type.requiredRole) }
        guard let subscription = state.subscriptions[type] else {
            return Self.error(400, "AF20022", "No subscription found for the specified content type.")
        }
        guard subscription.enabled else {
            return Self.error(400, "AF20023", "The subscription was disabled by the tenant administrator.")
        }
        let window: ContentWindow
        switch ContentWindow.parse(start: request.queryValue("startTime"), end: request.queryValue("endTime"), now: now)
        {
        case .success(let value): window = value
        case .failure(let failure): return Self.error(400, failure.code, failure.message)
        }
        let all = index.blobs(of: type, from: window.start, to: window.end, now: now)
        let pageSize = world.configuration.listingPageSize
        var offset = 0
        if let token = request.queryValue("nextPage") {
            guard let decoded = NextPageToken(text: token), decoded.offset <= all.count else {
                return Self.error(400, "AF20031", "Invalid nextPage Input: \(token).")
            }
            offset = decoded.offset
        }
        let page = all.dropFirst(offset).prefix(pageSize)
        let body = OrderedJSON.array(
            page.map { blob in
                .object([
                    "contentUri": .string(baseURL + feedPath + "/audit/" + blob.contentId),
                    "contentId": .string(blob.contentId),
                    "contentType": .string(blob.contentType.rawValue),
                    "contentCreated": .string(SimTime.contentTime(blob.contentCreated)),
                    "contentExpiration": .string(SimTime.contentTime(blob.contentExpiration)),
                ])
            })
        var headers: [(name: String, value: String)] = []
        let nextOffset = offset + page.count
        if nextOffset < all.count {
            headers.append(
                ("NextPageUri", nextPageURI(request: request, type: type, window: window, offset: nextOffset)))
        }
        return .json(200, body, headers: headers)
    }

    /// The next page's URL. Every other page spells the window parameters in lower
    /// case, as the service has been seen to do, so clients must follow the URL as given.
    private func nextPageURI(request: SimRequest, type: ManagementContentType, window: ContentWindow, offset: Int)
        -> String
    {
        let lowerCase = (offset / max(1, world.configuration.listingPageSize)) % 2 == 0
        var items = [
            "contentType=\(type.rawValue)",
            "\(lowerCase ? "starttime" : "startTime")=\(SimTime.graphTime(window.start))",
            "\(lowerCase ? "endtime" : "endTime")=\(SimTime.graphTime(window.end))",
            "nextPage=\(NextPageToken(offset: offset).text)",
        ]
        if let publisher = request.queryValue("PublisherIdentifier") {
            items.append("PublisherIdentifier=\(publisher)")
        }
        return baseURL + feedPath + "/subscriptions/content?" + items.joined(separator: "&")
    }

    // MARK: Blobs

    private func blob(
        contentId: String, roles: Set<String>, now: Date, state: TenantState, blobExpired: (ContentBlob) -> Bool
    ) -> SimResponse {
        guard let blob = index.blob(contentId: contentId), blob.contentCreated <= now else {
            return Self.error(404, "AF20050", "The specified content \(contentId) does not exist.")
        }
        guard roles.contains(blob.contentType.requiredRole) else {
            return Self.missingPermission(blob.contentType.requiredRole)
        }
        if now > blob.contentExpiration || blobExpired(blob) {
            return Self.error(
                400, "AF20051",
                "Content requested with the key \(contentId) has already expired. Content older than 7 days cannot be retrieved."
            )
        }
        return .jsonData(200, render(blob, state: state))
    }

    /// The blob's JSON array. Sign-ins are rendered now, so that a sign-in after
    /// the account was disabled shows as refused.
    public func render(_ blob: ContentBlob, state: TenantState) -> Data {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (position, copy) in blob.copies.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            let record = world.timeline.auditRecords[copy.record]
            switch record.body {
            case .malformed(let text):
                out.append(contentsOf: Array(text.utf8))
                continue
            case .document(let document):
                reorder(document, copy: copy, record: record).write(into: &out)
            case .signIn(let event, let quirks):
                guard let user = usersById[event.userId], let id = record.id else { continue }
                let shown = state.isDisabled(event.userId, at: event.time) ? event.refusedAsDisabled() : event
                let document = AuditRecordFactory(
                    tenantId: world.directory.tenantId, organizationName: "contoso.onmicrosoft.com"
                ).signIn(id: id, event: shown, user: user, quirks: quirks)
                reorder(document, copy: copy, record: record).write(into: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    private func reorder(_ document: OrderedJSON, copy: ContentBlob.RecordCopy, record: AuditRecordSpec) -> OrderedJSON
    {
        guard copy.reordered else { return document }
        var hash: UInt64 = 0x8422_2325_CBF2_9CE4
        for byte in (record.id ?? "").utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var generator = SeededGenerator(seed: hash)
        return document.shufflingKeys(using: &generator)
    }
}

/// A `nextPage` value: opaque to clients, an offset to us.
struct NextPageToken {
    var offset: Int

    init(offset: Int) { self.offset = offset }

    init?(text: String) {
        let parts = text.split(separator: "$")
        guard parts.count == 2, parts[0] == parts[1], parts[0].count == 17, let value = Int(parts[0]) else {
            return nil
        }
        offset = value - 20_150_000_000_000_000
        guard offset >= 0 else { return nil }
    }

    /// Looks like the service's `20150526233123456$20150526233123456`.
    var text: String {
        let value = String(20_150_000_000_000_000 + offset)
        return "\(value)$\(value)"
    }
}
