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
        case .stats(.json):
            return stats.snapshot()
        case .stats(.prometheus):
            return .object([
                "format": .string(StatsFormat.prometheus.rawValue),
                "text": .string(PrometheusExposition(stats: stats.metricValues(), state: state, reloads: states.history).text),
            ])
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
        case .forget(let forget):
            return try await self.forget(forget, peer: peer, state: state, deadline: deadline)
        }
    }

    private func search(
        _ request: SearchRequest, state: ServingState, deadline: ContinuousClock.Instant?
    ) async throws(ProtocolError) -> JSONValue {
        guard state.catalogueStatus.exists else { return .object(["items": .array([])]) }
        let ids: [String]
        do {
            ids = try await catalogueAccess.read(path: state.catalogueStatus.path, deadline: deadline) {
                try $0.search(request.query, limit: request.k)
            }
        } catch {
            let failure = StoreFailure.protocolError(error, action: "search failed")
            if failure.code != .timeout { logger.error("search failed", metadata: ["error": "\(error)"]) }
            throw failure
        }
        let items = ids.map { id in
            ResultFormatting.item(id: id, row: state.catalogue.row(of: id) ?? -1, score: nil, catalogue: state.catalogue)
        }
        return .object(["items": .array(items)])
    }

    /// Stores one play or a batch in one transaction: all or nothing, one
    /// answer, sent only after the commit reached the disk.
    private func listen(
        _ request: ListenRequest, state: ServingState, deadline: ContinuousClock.Instant?
    ) async throws(ProtocolError) -> JSONValue {
        for (position, play) in request.events.enumerated() where state.catalogue.row(of: play.track) == nil {
            let field = request.isBatch ? "events[\(position)].track" : "track"
            throw ProtocolError(.unknownTrack, "\(field): track \(play.track) is not in the catalogue; nothing was stored")
        }
        let events = request.events.map { play in
            ListenEvent(
                user: request.user, trackID: play.track, timestamp: play.timestamp, msPlayed: play.msPlayed,
                skipped: play.skipped, source: Self.listenSource, eventID: play.eventID)
        }
        let inserted: Int
        do {
            inserted = try await catalogueAccess.write(path: state.catalogueStatus.path, deadline: deadline) {
                try $0.recordListens(events)
            }
        } catch {
            let action = request.isBatch ? "the events were not stored" : "the listen was not stored"
            let failure = StoreFailure.protocolError(error, action: action)
            logger.error("listen not stored", metadata: ["error": "\(error)", "code": "\(failure.code.rawValue)"])
            throw failure
        }
        ledger.record(user: request.user, tracks: request.events.map(\.track))
        stats.listensRecorded(stored: inserted, duplicates: events.count - inserted)
        guard request.isBatch else {
            return .object(["stored": .bool(true), "duplicate": .bool(inserted == 0)])
        }
        return .object([
            "stored": .bool(true), "events": .int(events.count), "duplicates": .int(events.count - inserted),
        ])
    }

    /// Deletes a user's listens, interactions and profile; the daemon stops
    /// using them (and what models trained before learnt of the user) at once.
    private func forget(
        _ request: ForgetRequest, peer: PeerCredentials?, state: ServingState, deadline: ContinuousClock.Instant?
    ) async throws(ProtocolError) -> JSONValue {
        guard let peer, peer.uid == 0 || peer.uid == daemonUID else {
            throw ProtocolError(.forbidden, "forget is only for root or the daemon's own user")
        }
        guard state.catalogueStatus.exists else {
            throw ProtocolError(.unavailable, "there is no catalogue file, so nothing is stored to forget")
        }
        let summary: ForgetSummary
        do {
            summary = try await catalogueAccess.write(path: state.catalogueStatus.path, deadline: deadline) {
                try $0.forget(user: request.user)
            }
        } catch {
            let failure = StoreFailure.protocolError(error, action: "nothing was forgotten")
            logger.error("forget failed", metadata: ["error": "\(error)"])
            throw failure
        }
        ledger.forget(user: request.user, at: summary.forgottenAt)
        logger.notice("user forgotten", metadata: ["listens": "\(summary.listens)", "interactions": "\(summary.interactions)"])
        return .object([
            "forgotten": .bool(true), "listens": .int(summary.listens), "interactions": .int(summary.interactions),
        ])
    }

    /// The `source` of listens recorded by the daemon.
    static let listenSource = "earshotd"

    static let timedOut = ProtocolError(
        .timeout, "the request could not start within limits.request_timeout_ms; nothing was done; try again")
}
