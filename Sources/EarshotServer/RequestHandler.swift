import EarshotCatalogue
import EarshotProtocol
import EarshotScoring
import Foundation
import Logging

/// Answers decoded requests against the current serving state.
///
/// Runs on the connection's task (Swift's cooperative pool, never an event
/// loop); SQLite work goes to the blocking thread pool through
/// `CatalogueAccess`.
struct RequestHandler: Sendable {
    let states: StateStore
    let stats: ServerStats
    let ledger: ListenLedger
    let catalogueAccess: CatalogueAccess
    let reloads: ReloadQueue
    let scoring: ScoringPool
    let daemonUID: UInt32
    let startedAt: Date
    let version: String
    let logger: Logger

    /// Answers `request`; `deadline` bounds waiting for SQLite.
    func handle(
        _ request: Request, peer: PeerCredentials?, deadline: ContinuousClock.Instant?
    ) async throws(ProtocolError) -> JSONValue {
        let state = states.current
        switch request {
        case .ping:
            return .object(["pong": .bool(true)])
        case .info:
            return InfoReport.make(
                state: state, history: states.history, uptime: Date().timeIntervalSince(startedAt), version: version)
        case .stats:
            return stats.snapshot()
        case .scorers:
            return InfoReport.scorers(state)
        case .reload:
            guard let peer, peer.uid == 0 || peer.uid == daemonUID else {
                throw ProtocolError(.forbidden, "reload is only for root or the daemon's own user")
            }
            switch await reloads.requestReload(reason: "reload op from uid \(peer.uid)") {
            case .success(let newState):
                return InfoReport.make(
                    state: newState, history: states.history, uptime: Date().timeIntervalSince(startedAt),
                    version: version)
            case .failure(let error):
                throw ProtocolError(.internal, "reload failed, the previous state keeps serving: \(error)")
            }
        case .search(let search):
            return try await self.search(search, state: state, deadline: deadline)
        case .recommend(let recommend):
            return try await RecommendationPipeline(state: state, ledger: ledger, scoring: scoring).recommend(recommend)
        case .similar(let similar):
            return try await RecommendationPipeline(state: state, ledger: ledger, scoring: scoring).similar(similar)
        case .score(let score):
            return try RecommendationPipeline(state: state, ledger: ledger, scoring: scoring).score(score)
        case .listen(let listen):
            return try await self.listen(listen, state: state, deadline: deadline)
        }
    }

    private func search(
        _ request: SearchRequest, state: ServingState, deadline: ContinuousClock.Instant?
    ) async throws(ProtocolError) -> JSONValue {
        guard state.catalogueStatus.exists else { return .object(["items": .array([])]) }
        let ids: [String]
        do {
            ids = try await catalogueAccess.withStore(path: state.catalogueStatus.path, deadline: deadline) {
                try $0.search(request.query, limit: request.k)
            }
        } catch is DeadlinePassed {
            throw Self.timedOut
        } catch {
            logger.error("search failed", metadata: ["error": "\(error)"])
            throw ProtocolError(.internal, "search failed: \(error)")
        }
        let items = ids.map { id in
            ResultFormatting.item(id: id, row: state.catalogue.row(of: id) ?? -1, score: nil, catalogue: state.catalogue)
        }
        return .object(["items": .array(items)])
    }

    private func listen(
        _ request: ListenRequest, state: ServingState, deadline: ContinuousClock.Instant?
    ) async throws(ProtocolError) -> JSONValue {
        guard state.catalogue.row(of: request.track) != nil else {
            throw ProtocolError(.unknownTrack, "track \(request.track) is not in the catalogue")
        }
        let event = ListenEvent(
            user: request.user, trackID: request.track, timestamp: request.timestamp ?? Date(),
            msPlayed: request.msPlayed, skipped: request.skipped, source: "earshotd")
        let inserted: Bool
        do {
            inserted = try await catalogueAccess.withStore(path: state.catalogueStatus.path, deadline: deadline) {
                try $0.recordListen(event)
            }
        } catch is DeadlinePassed {
            throw Self.timedOut
        } catch {
            logger.error("listen not stored", metadata: ["error": "\(error)"])
            throw ProtocolError(.internal, "the listen was not stored: \(error)")
        }
        ledger.record(user: request.user, track: request.track)
        return .object(["stored": .bool(true), "duplicate": .bool(!inserted)])
    }

    static let timedOut = ProtocolError(
        .timeout, "the request could not start within limits.request_timeout_ms; nothing was done; try again")
}
