import Events
import Foundation

/// Messages: lists, single reads, inbox delta, move, delete and `sendMail`.
///
/// A message of the timeline exists from its `receivedDateTime` on. Writes change
/// where it lives: `state.movedMessages[old]` gives it a new id in another folder
/// (the old id stops existing), `state.deletedMessages[id]` removes it. Both are
/// applied in the order of their times, so the mailbox can be read as it stood
/// at any moment, which is what delta needs.
extension GraphAPI {
    /// Where one message lives at some moment.
    struct Placement: Hashable {
        var id: String
        /// Lower-cased well-known folder name, or a user folder's name.
        var folder: String
        /// When it got this id and folder (arrival or last move).
        var since: Date
    }

    /// Folder names of `mailFolders/{name}` that need no id.
    static let wellKnownFolders: Set<String> = [
        "inbox", "junkemail", "deleteditems", "sentitems", "archive", "drafts", "outbox", "conversationhistory",
        "clutter", "msgfolderroot", "recoverableitemsdeletions", "scheduled", "searchfolders", "syncissues",
        "rssfeeds",
    ]

    // MARK: Folders

    /// The id of a folder of `userId`'s mailbox: opaque to clients, decodable here.
    static func folderId(_ userId: String, _ folder: String) -> String {
        "AQMkA" + GraphSupport.base64url(Data((userId + "/" + folder).utf8))
    }

    /// A folder of `owner`'s mailbox from a well-known name (any case) or a folder id.
    static func folderName(_ text: String, owner: SimulatedUser) -> String? {
        if wellKnownFolders.contains(text.lowercased()) { return text.lowercased() }
        guard text.hasPrefix("AQMkA"), let data = GraphSupport.fromBase64url(String(text.dropFirst(5))),
            let decoded = String(data: data, encoding: .utf8), let slash = decoded.firstIndex(of: "/"),
            decoded[..<slash] == owner.id
        else { return nil }
        let name = String(decoded[decoded.index(after: slash)...])
        guard !name.isEmpty else { return nil }
        return wellKnownFolders.contains(name.lowercased()) ? name.lowercased() : name
    }

    /// How a rule's or a model's folder name maps onto a folder (well-known names lower-cased).
    static func normalizedFolder(_ name: String) -> String {
        wellKnownFolders.contains(name.lowercased()) ? name.lowercased() : name
    }

    private func pathFolder(_ call: GraphCall, owner: SimulatedUser) throws(GraphFailure) -> String {
        guard let folder = Self.folderName(call.parameters["folder"] ?? "", owner: owner) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        return folder
    }

    // MARK: Where messages are

    /// Where `message` is at `time`, after the moves and deletes made by then
    /// (`strictly` leaves out those made exactly at `time`); `nil` when it does
    /// not exist (not yet arrived, or deleted).
    func placement(_ message: MailMessage, _ state: TenantState, at time: Date, strictly: Bool = false) -> Placement? {
        guard message.receivedDateTime <= time else { return nil }
        func happened(_ date: Date) -> Bool { strictly ? date < time : date <= time }
        var current = Placement(
            id: message.id, folder: Self.normalizedFolder(message.folder), since: message.receivedDateTime)
        var hops = 0
        while hops <= state.movedMessages.count {
            if let deleted = state.deletedMessages[current.id], happened(deleted) { return nil }
            guard let move = state.movedMessages[current.id], happened(move.at) else { break }
            current = Placement(id: move.newId, folder: Self.normalizedFolder(move.destination), since: move.at)
            hops += 1
        }
        return current
    }

    /// New id → old id of every move, to find a moved message's timeline entry.
    private func moveParents(_ state: TenantState) -> [String: String] {
        var parents: [String: String] = [:]
        for (old, move) in state.movedMessages { parents[move.newId] = old }
        return parents
    }

    private func originalIndex(of id: String, parents: [String: String]) -> Int? {
        if let index = messageIndexById[id] { return index }
        var current = id
        var hops = 0
        while let parent = parents[current], hops <= parents.count {
            current = parent
            hops += 1
        }
        return messageIndexById[current]
    }

    /// The message that has id `id` in `owner`'s mailbox at `now`.
    func locateMessage(_ id: String, owner: SimulatedUser, _ state: TenantState, now: Date) -> (
        index: Int, placement: Placement
    )? {
        guard let index = originalIndex(of: id, parents: messageIndexById[id] == nil ? moveParents(state) : [:]),
            messages[index].mailboxUserId == owner.id, let placement = placement(messages[index], state, at: now),
            placement.id == id
        else { return nil }
        return (index, placement)
    }

    // MARK: Reads

    func listMessages(_ call: GraphCall, _ state: TenantState, inFolder: Bool) throws(GraphFailure) -> SimResponse {
        try call.require(.readMail)
        let owner = try mailboxUser(call)
        let folder = inFolder ? try pathFolder(call, owner: owner) : nil
        let top = try call.top(default: options.pageSize, max: 1000)
        var skip = 0
        if let text = call.queryValue("$skip") {
            guard let value = Int(text), value >= 0 else {
                throw GraphFailure(
                    GraphError.response(400, "ErrorInvalidUrlQuery", "The value of '$skip' is not valid."))
            }
            skip = value
        }
        var ascending = false
        if let order = call.queryValue("$orderby") {
            let words = order.lowercased().split(whereSeparator: { $0 == " " || $0 == "+" })
            guard let property = words.first, property == "receiveddatetime" || property == "createddatetime",
                words.count <= 2, words.count == 1 || words[1] == "asc" || words[1] == "desc"
            else {
                throw GraphFailure(
                    GraphError.response(400, "ErrorInvalidUrlQuery", "The $orderby clause '\(order)' is not supported.")
                )
            }
            ascending = words.count == 1 || words[1] == "asc"
        }
        let messages = self.messages
        let filterText = call.queryValue("$filter") ?? ""
        let filter = try SplitFilter.parse(
            filterText, timeProperties: ["receivedDateTime", "createdDateTime"], refusal: .outlook
        ) { clause in
            switch clause.property.lowercased() {
            case "isread": SplitFilter.boolComparison(clause) { messages[$0].isRead }
            case "subject": SplitFilter.stringComparison(clause) { messages[$0].subject }
            case "internetmessageid": SplitFilter.stringComparison(clause) { messages[$0].internetMessageId }
            case "from/emailaddress/address", "sender/emailaddress/address":
                SplitFilter.stringComparison(clause) { messages[$0].from.address }
            default: nil
            }
        }
        let mailbox = messagesByMailbox[owner.id] ?? []
        let low = GraphSupport.partitionPoint(mailbox.count) {
            filter.bounds.isAboveLower(GraphSupport.renderedMilliseconds(messages[mailbox[$0]].receivedDateTime))
        }
        let high = min(
            GraphSupport.partitionPoint(mailbox.count) { messages[mailbox[$0]].receivedDateTime > call.now },
            GraphSupport.partitionPoint(mailbox.count) {
                filter.bounds.isAboveUpper(GraphSupport.renderedMilliseconds(messages[mailbox[$0]].receivedDateTime))
            })
        var values: [OrderedJSON] = []
        var matched = 0
        var more = false
        let positions: [Int] = low < high ? (ascending ? Array(low..<high) : (low..<high).reversed()) : []
        for position in positions {
            let index = mailbox[position]
            guard filter.matches(index), let placement = placement(messages[index], state, at: call.now),
                folder == nil || placement.folder == folder
            else { continue }
            if matched == skip + top {
                more = true
                break
            }
            if matched >= skip { values.append(call.project(renderMessage(messages[index], placement))) }
            matched += 1
        }
        let userSegment = call.parameters["user"] ?? owner.id
        let folderSegment = call.parameters["folder"] ?? ""
        let path = "/users/\(userSegment)" + (inFolder ? "/mailFolders/\(folderSegment)" : "") + "/messages"
        var nextLink: String?
        if more {
            var query: [(String, String)] = [("$top", String(top)), ("$skip", String(skip + top))]
            for name in ["$filter", "$orderby", "$select"] {
                if let value = call.queryValue(name) { query.append((name, value)) }
            }
            nextLink = link(call, path, query)
        }
        let fragment =
            "users('\(userSegment)')" + (inFolder ? "/mailFolders('\(folderSegment)')" : "") + "/messages"
        return collection(call, context: fragment, values, nextLink: nextLink)
    }

    func getMessage(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readMail)
        let owner = try mailboxUser(call)
        guard let located = locateMessage(call.parameters["message"] ?? "", owner: owner, state, now: call.now) else {
            throw GraphFailure(GraphError.itemNotFound)
        }
        let userSegment = call.parameters["user"] ?? owner.id
        return entity(
            call, context: "users('\(userSegment)')/messages/$entity",
            call.project(renderMessage(messages[located.index], located.placement)))
    }

    func renderMessage(_ message: MailMessage, _ placement: Placement) -> OrderedJSON {
        let sent =
            message.sentDateTime
            ?? (placement.folder == "sentitems" || message.folder == "sentitems"
                ? message.receivedDateTime : message.receivedDateTime.addingTimeInterval(-2))
        var conversation = GraphSupport.generator("conversation:" + message.subject.lowercased())
        return .object([
            "id": .string(placement.id),
            "createdDateTime": .string(SimTime.graphTime(message.receivedDateTime)),
            "lastModifiedDateTime": .string(SimTime.graphTime(placement.since)),
            "categories": .array([]),
            "receivedDateTime": .string(SimTime.graphTime(message.receivedDateTime)),
            "sentDateTime": .string(SimTime.graphTime(sent)),
            "hasAttachments": .bool(message.hasAttachments),
            "internetMessageId": .string(message.internetMessageId),
            "subject": .string(message.subject),
            "bodyPreview": .string(message.bodyPreview),
            "importance": .string("normal"),
            "parentFolderId": .string(Self.folderId(message.mailboxUserId, placement.folder)),
            "conversationId": .string("AAQkAD" + conversation.base64url(byteCount: 36) + "="),
            "isDeliveryReceiptRequested": .bool(false),
            "isReadReceiptRequested": .bool(false),
            "isRead": .bool(message.isRead),
            "isDraft": .bool(false),
            "inferenceClassification": .string("focused"),
            "body": .object(["contentType": .string("text"), "content": .string(message.body)]),
            "sender": Self.recipient(message.from),
            "from": Self.recipient(message.from),
            "toRecipients": .array(message.toRecipients.map(Self.recipient)),
            "ccRecipients": .array([]),
            "bccRecipients": .array([]),
            "replyTo": .array([]),
            "flag": .object(["flagStatus": .string("notFlagged")]),
        ])
    }

    static func recipient(_ recipient: Recipient) -> OrderedJSON {
        .object(["emailAddress": .object(["name": .string(recipient.name), "address": .string(recipient.address)])])
    }

    // MARK: Delta

    enum DeltaChange {
        case upsert(index: Int, placement: Placement)
        case removed(id: String)
    }

    /// `GET users/{id}/mailFolders/{folder}/messages/delta`: a first sync in pages
    /// (`$skiptoken`) ending with a `$deltatoken`; a later call with that token
    /// answers what changed since, removals as `@removed`. Tokens hold the moment of
    /// the sync; one older than ``GraphOptions/deltaTokenLifetime`` answers 410.
    func messagesDelta(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readMail)
        let owner = try mailboxUser(call)
        let folder = try pathFolder(call, owner: owner)
        let nowMilliseconds = SimTime.milliseconds(call.now)
        let lifetime = Int64(options.deltaTokenLifetime * 1000)
        let gone = GraphFailure(GraphError.syncStateNotFound)
        var since: Int64?
        let until: Int64
        var lower: String
        var offset = 0
        var pageSize: Int
        if let token = call.queryValue("$deltatoken") {
            guard let fields = GraphSupport.decodeToken(token), fields.count == 6, fields[0] == "delta",
                fields[1] == owner.id, fields[2] == folder, let syncedAt = Int64(fields[3]),
                Self.parseLowerBound(fields[4]) != nil, let size = Int(fields[5]), size > 0
            else { throw gone }
            guard nowMilliseconds - syncedAt <= lifetime else { throw gone }
            since = syncedAt
            until = max(syncedAt, nowMilliseconds)
            lower = fields[4]
            pageSize = call.preferredPageSize ?? size
        } else if let token = call.queryValue("$skiptoken") {
            guard let fields = GraphSupport.decodeToken(token), fields.count == 8, fields[0] == "deltaPage",
                fields[1] == owner.id, fields[2] == folder, fields[3].isEmpty || Int64(fields[3]) != nil,
                let pageUntil = Int64(fields[4]), Self.parseLowerBound(fields[5]) != nil,
                let position = Int(fields[6]), position >= 0, let size = Int(fields[7]), size > 0
            else { throw gone }
            guard nowMilliseconds - pageUntil <= lifetime else { throw gone }
            since = Int64(fields[3])
            until = pageUntil
            lower = fields[5]
            offset = position
            pageSize = call.preferredPageSize ?? size
        } else {
            until = nowMilliseconds
            lower = try Self.deltaLowerBound(call.queryValue("$filter"))
            if let preferred = call.preferredPageSize {
                pageSize = preferred
            } else {
                pageSize = try call.top(default: options.pageSize, max: 1000)
            }
        }
        pageSize = min(pageSize, 1000)
        let bounds = Self.parseLowerBound(lower) ?? .unbounded
        let changes = deltaChanges(
            owner: owner, folder: folder, since: since.map(SimTime.date(milliseconds:)),
            until: SimTime.date(milliseconds: until), bounds: bounds, state)
        let start = min(offset, changes.count)
        let end = min(changes.count, start + pageSize)
        let values: [OrderedJSON] = changes[start..<end].map { change in
            switch change {
            case .upsert(let index, let placement):
                return call.project(renderMessage(messages[index], placement))
            case .removed(let id):
                return .object([
                    "@odata.type": .string("#microsoft.graph.message"),
                    "id": .string(id),
                    "@removed": .object(["reason": .string("deleted")]),
                ])
            }
        }
        let path =
            "/users/\(call.parameters["user"] ?? owner.id)/mailFolders/\(call.parameters["folder"] ?? folder)/messages/delta"
        var members = [OrderedJSON.Member("@odata.context", context(call, "Collection(message)"))]
        if end < changes.count {
            let token = GraphSupport.encodeToken([
                "deltaPage", owner.id, folder, since.map { String($0) } ?? "", String(until), lower, String(end),
                String(pageSize),
            ])
            members.append(.init("@odata.nextLink", .string(link(call, path, [("$skiptoken", token)]))))
            members.append(.init("value", .array(values)))
        } else {
            let token = GraphSupport.encodeToken(["delta", owner.id, folder, String(until), lower, String(pageSize)])
            members.append(.init("value", .array(values)))
            members.append(.init("@odata.deltaLink", .string(link(call, path, [("$deltatoken", token)]))))
        }
        return .json(200, .object(members))
    }

    /// What changed in `folder` of `owner`'s mailbox between a sync at `since` (`nil`:
    /// never synced) and `until`, newest first. A move or delete made exactly at
    /// `since` counts as after the sync: at worst a client hears of it twice.
    func deltaChanges(
        owner: SimulatedUser, folder: String, since: Date?, until: Date, bounds: TimeBounds, _ state: TenantState
    ) -> [DeltaChange] {
        let mailbox = messagesByMailbox[owner.id] ?? []
        let end = GraphSupport.partitionPoint(mailbox.count) { messages[mailbox[$0]].receivedDateTime > until }
        var candidates: [Int]
        if let since {
            let start = min(
                end, GraphSupport.partitionPoint(mailbox.count) { messages[mailbox[$0]].receivedDateTime > since })
            var set = Set(mailbox[start..<end])
            let parents = moveParents(state)
            func touch(_ id: String) {
                if let index = originalIndex(of: id, parents: parents), messages[index].mailboxUserId == owner.id,
                    messages[index].receivedDateTime <= until
                {
                    set.insert(index)
                }
            }
            for (id, move) in state.movedMessages where move.at >= since && move.at <= until { touch(id) }
            for (id, at) in state.deletedMessages where at >= since && at <= until { touch(id) }
            candidates = set.sorted(by: >)
        } else {
            candidates = mailbox[0..<end].reversed()
        }
        var changes: [DeltaChange] = []
        for index in candidates {
            let message = messages[index]
            guard bounds.isAboveLower(GraphSupport.renderedMilliseconds(message.receivedDateTime)) else { continue }
            let before = since.flatMap { placement(message, state, at: $0, strictly: true) }
            let after = placement(message, state, at: until)
            let beforeId = before?.folder == folder ? before?.id : nil
            let afterId = after?.folder == folder ? after?.id : nil
            if let beforeId, beforeId != afterId { changes.append(.removed(id: beforeId)) }
            if let afterId, let after, afterId != beforeId { changes.append(.upsert(index: index, placement: after)) }
        }
        return changes
    }

    /// The `$filter` delta accepts: `receivedDateTime ge|gt <time>`, kept in tokens as `ge:<ms>`.
    private static func deltaLowerBound(_ text: String?) throws(GraphFailure) -> String {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return "" }
        let refusal = FilterRefusal.outlook
        let filter: GraphFilter
        do {
            filter = try GraphFilter.parse(text)
        } catch {
            throw refusal.failure(error.message)
        }
        guard filter.clauses.count == 1, let clause = filter.clauses.first, clause.isProperty("receivedDateTime"),
            clause.op == .ge || clause.op == .gt, case .dateTime(let milliseconds) = clause.literal
        else { throw refusal.failure("Delta supports only 'receivedDateTime ge|gt <DateTimeOffset>'.") }
        return "\(clause.op.rawValue):\(milliseconds)"
    }

    private static func parseLowerBound(_ text: String) -> TimeBounds? {
        guard !text.isEmpty else { return .unbounded }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let milliseconds = Int64(parts[1]),
            let op = GraphFilter.Operator(rawValue: String(parts[0])), op == .ge || op == .gt
        else { return nil }
        var bounds = TimeBounds.unbounded
        _ = bounds.apply(op, milliseconds)
        return bounds
    }

    // MARK: Writes

    /// `POST users/{id}/messages/{msgId}/move` → 201 with the message under a new id.
    func moveMessage(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        let messageId = call.parameters["message"] ?? ""
        return recordingWrite(.moveMessage, call, &state) {
            state throws(GraphFailure) in
            try call.require(.writeMail)
            var requested: String?
            switch GraphSupport.body(call.request) {
            case .invalid: throw GraphFailure(GraphError.invalidJSON)
            case .value(let body):
                if case .string(let text)? = body["destinationId"], !text.isEmpty { requested = text }
            case .empty: break
            }
            guard let destinationText = requested else {
                throw GraphFailure(
                    GraphError.invalidRequest("The parameter 'destinationId' is missing or not a string."))
            }
            let owner = try mailboxUser(call)
            guard let destination = Self.folderName(destinationText, owner: owner) else {
                throw GraphFailure(GraphError.response(400, "ErrorInvalidIdMalformed", "Id is malformed."))
            }
            guard let located = locateMessage(messageId, owner: owner, state, now: call.now) else {
                throw GraphFailure(GraphError.itemNotFound)
            }
            let attempt = state.writeCounts[.init(endpoint: WriteEndpoint.moveMessage, target: messageId)] ?? 0
            var newId = ""
            var salt = 0
            repeat {
                var generator = GraphSupport.generator(
                    "move|\(messageId)|\(destination)|\(attempt)|\(state.movedMessages.count)|\(salt)")
                newId = "AAMkAD" + generator.base64url(byteCount: 108) + "="
                salt += 1
            } while messageIndexById[newId] != nil || state.movedMessages[newId] != nil
            state.movedMessages[messageId] = TenantState.MessageMove(
                newId: newId, destination: destination, at: call.now)
            let moved = Placement(id: newId, folder: destination, since: call.now)
            let userSegment = call.parameters["user"] ?? owner.id
            return entity(
                call, context: "users('\(userSegment)')/messages/$entity",
                renderMessage(messages[located.index], moved), status: 201)
        }
    }

    /// `DELETE users/{id}/messages/{msgId}` → 204; the id then answers 404.
    func deleteMessage(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        let messageId = call.parameters["message"] ?? ""
        return recordingWrite(.deleteMessage, call, &state) {
            state throws(GraphFailure) in
            try call.require(.writeMail)
            let owner = try mailboxUser(call)
            guard locateMessage(messageId, owner: owner, state, now: call.now) != nil else {
                throw GraphFailure(GraphError.itemNotFound)
            }
            state.deletedMessages[messageId] = call.now
            return .noContent()
        }
    }

    /// `POST users/{id}/sendMail` → 202; the mail is kept in `state.sentMail`.
    func sendMail(_ call: GraphCall, _ state: inout TenantState) -> SimResponse {
        recordingWrite(.sendMail, call, &state) {
            state throws(GraphFailure) in
            try call.require(.sendMail)
            let body: JSONValue
            switch GraphSupport.body(call.request) {
            case .empty: throw GraphFailure(GraphError.emptyPayload)
            case .invalid: throw GraphFailure(GraphError.invalidJSON)
            case .value(let value): body = value
            }
            guard case .object? = body["message"], let message = body["message"] else {
                throw GraphFailure(GraphError.invalidRequest("The parameter 'message' is missing or not an object."))
            }
            if let save = body["saveToSentItems"] {
                guard case .bool = save else {
                    throw GraphFailure(GraphError.invalidRequest("The parameter 'saveToSentItems' must be a Boolean."))
                }
            }
            var subject = ""
            if let value = message["subject"] {
                guard case .string(let text) = value else {
                    throw GraphFailure(GraphError.invalidRequest("The property 'subject' must be a string."))
                }
                subject = text
            }
            var addresses: [String] = []
            let invalidRecipients = GraphFailure(
                GraphError.response(
                    400, "ErrorInvalidRecipients",
                    "At least one recipient isn't valid., A message can't be sent because it contains no recipients."))
            for field in ["toRecipients", "ccRecipients", "bccRecipients"] {
                guard let list = message[field] else { continue }
                guard case .array(let recipients) = list else { throw invalidRecipients }
                for recipient in recipients {
                    guard case .string(let address)? = recipient["emailAddress"]?["address"], address.contains("@")
                    else { throw invalidRecipients }
                    addresses.append(address)
                }
            }
            guard !addresses.isEmpty else { throw invalidRecipients }
            let owner = try mailboxUser(call)
            state.sentMail.append(
                TenantState.SentMail(senderUserId: owner.id, subject: subject, to: addresses, at: call.now))
            return SimResponse(status: 202)
        }
    }
}
