public import Events
public import Logging
public import M365

/// Who an Entra object id is, for audit records that name their actor by object id instead of
/// user principal name (a documented quirk of `UserId`).
///
/// The audit collector re-keys such a record to the user's UPN before publishing it, so it
/// lands on that user's partition and in that user's story instead of a story of its own under
/// `id:<guid>`. Answers are cached (bounded); an id Graph does not know stays unresolved and its
/// records keep the `id:` key, which is also what happens when Graph cannot be asked (the
/// record is published either way: collection never waits on the directory).
public actor UserDirectory {
    /// The principal name of an object id, nil when the directory has no such user.
    public typealias Lookup = @Sendable (_ objectID: String) async throws -> String?

    private let lookup: Lookup
    private let capacity: Int
    private let logger: Logger
    private var known: [String: String?] = [:]
    private var failuresLogged = 0

    public init(capacity: Int = 50_000, logger: Logger, lookup: @escaping Lookup) {
        self.lookup = lookup
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    /// Reads users from Graph (`GET /users/{id}?$select=userPrincipalName`; User.Read.All, which
    /// the collector app holds for the mail collector).
    public init(graph: GraphClient, logger: Logger) {
        self.init(logger: logger) { objectID in
            do throws(GraphError) {
                let user = try await graph.get(
                    "users/\(objectID)", query: [("$select", "id,userPrincipalName")])
                return user["userPrincipalName"]?.stringValue
            } catch {
                // Not a `catch where`: Swift 6.3.1's SIL verifier crashes on it in typed-throws async code.
                if error.httpStatus == 404 { return nil }
                throw error
            }
        }
    }

    /// The UPN of `objectID`, lower-cased, or nil.
    public func principalName(ofObjectID objectID: String) async -> String? {
        if let cached = known[objectID] { return cached }
        do {
            let name = try await lookup(objectID)?.keyNormalized
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known[objectID] = .some(name)
            return name
        } catch {
            // Not cached: the next record of this user asks again.
            if failuresLogged < 10 {
                failuresLogged += 1
                logger.warning(
                    "cannot resolve an object id to its user; its records keep the id: key",
                    metadata: ["objectId": "\(objectID)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// `key` re-keyed to the user's principal name when its subject is an object id the
    /// directory knows.
    public func resolve(_ key: RecordKey) async -> RecordKey {
        guard case .objectID(let id) = key.subject, let name = await principalName(ofObjectID: id) else { return key }
        return RecordKey(tenantID: key.tenantID, user: name)
    }
}
