import Events
import Foundation
import Logging
import M365

/// Walks one delta round over the inbox of one mailbox, page by page, from where a
/// ``MessageDeltaState`` says to start.
///
/// Each page is handed over (and published by the caller) before the next is read; the state
/// takes the new delta link only once the round reached it, so a round that fails half-way is
/// walked again from the old link and the dedupe memory drops what was already published.
/// A 410 (the sync state expired, or the link is not valid) is logged, the link dropped, and
/// the round restarted as a sync from just before the last round.
struct MessageDeltaWalker: Sendable {
    let client: GraphClient
    let mailbox: String
    let clock: M365Clock
    let logger: Logger

    static let permission = "Mail.Read"

    /// Why a round stopped: Graph failed (after HTTP's retries), or handling a page did.
    enum Failure: Error {
        case graph(GraphError)
        case handling(CollectorError)
    }

    func walk(
        _ state: inout MessageDeltaState, backfillFrom: Date?,
        page handle: (_ items: [JSONValue], _ state: MessageDeltaState) async throws(CollectorError) -> Void
    ) async throws(Failure) {
        var resynced = false
        rounds: while true {
            let startedAt = clock.now()
            let url: String
            switch state.start(now: startedAt, backfillFrom: backfillFrom) {
            case .link(let link):
                url = link
            case .sync(let since):
                url = client.messagesDeltaURL(
                    mailbox: mailbox, receivedSince: since, select: MessageResource.properties)
            }
            var pages = client.pages(startingAt: url).makeAsyncIterator()
            var deltaLink: String?
            while true {
                let page: GraphPage?
                do {
                    page = try await pages.next()
                } catch {
                    if error.code == .resyncRequired && !resynced {
                        resynced = true
                        logger.warning(
                            "delta link no longer valid (410); syncing the inbox again, repeats are dropped",
                            metadata: ["mailbox": "\(mailbox)", "graph": "\(error.message)"])
                        state.linkExpired()
                        continue rounds
                    }
                    throw .graph(error)
                }
                guard let page else { break }
                do {
                    try await handle(page.items, state)
                } catch {
                    throw .handling(error)
                }
                if let link = page.deltaLink { deltaLink = link }
            }
            guard let deltaLink else {
                throw .graph(
                    GraphError(
                        code: .unexpectedResponse, message: "the delta round ended without an @odata.deltaLink",
                        isRetriable: true))
            }
            state.roundCompleted(deltaLink: deltaLink, startedAt: startedAt)
            return
        }
    }
}
