import EarshotCatalogue
import EarshotScoring
import EarshotSnapshot
import Foundation
import Logging

/// Builds a complete `ServingState` from what the configuration points at.
/// Blocking (SQLite, file reads, model building): call it off the I/O threads.
struct StateLoader: Sendable {
    let registry: ScorerRegistry

    func load(_ configuration: DaemonConfiguration, logger: Logger) throws(ReloadError) -> ServingState {
        let now = Date()
        let (catalogue, listeners, catalogueExists) = try loadCatalogue(configuration, logger: logger)
        let snapshot = try loadSnapshot(configuration, logger: logger)
        var slots: [ScorerSlot] = []
        var unmatched = 0
        var loaded: [String: any LoadedScorer] = [:]
        for plugin in registry.plugins {
            let name = plugin.name
            guard configuration.enabledScorers.isEmpty || configuration.enabledScorers.contains(name) else { continue }
            let context = ScorerLoadContext(
                catalogue: catalogue, part: snapshot?.parts[name], settings: configuration.scorerSettings[name] ?? [:],
                scorers: loaded)
            do {
                let scorer = try plugin.load(context)
                let model = ReadyScorer(scorer: scorer, catalogue: catalogue)
                if snapshot?.parts[name] != nil {
                    let misses = model.unmatchedItems
                    if catalogue.count > 0, misses == model.rowOfItem.count, misses > 0 {
                        throw ReloadError(
                            "snapshot part \(name) shares no item id with the catalogue (\(catalogue.count) tracks); was it trained on another catalogue?")
                    }
                    unmatched += misses
                }
                loaded[name] = scorer
                slots.append(ScorerSlot(name: name, summary: plugin.summary, model: model, notReadyReason: nil))
            } catch let error as ScorerLoadError {
                logger.notice("scorer not ready", metadata: ["scorer": "\(name)", "reason": "\(error)"])
                slots.append(ScorerSlot(name: name, summary: plugin.summary, model: nil, notReadyReason: error.description))
            } catch let error as ReloadError {
                throw error
            } catch {
                throw ReloadError("scorer \(name): \(error)")
            }
        }
        let snapshotStatus = snapshot.map {
            SnapshotStatus(
                id: $0.manifest.id, createdAt: $0.manifest.createdAt, path: $0.path, resolvedPath: $0.resolvedPath,
                loadedAt: now, unmatchedItems: unmatched)
        }
        return ServingState(
            configuration: configuration, catalogue: catalogue,
            catalogueStatus: CatalogueStatus(path: configuration.cataloguePath, exists: catalogueExists, loadedAt: now),
            snapshotStatus: snapshotStatus, scorers: slots, listeners: listeners)
    }

    private func loadCatalogue(
        _ configuration: DaemonConfiguration, logger: Logger
    ) throws(ReloadError) -> (TrackCatalogue, [String: ListenerProfile], Bool) {
        let path = configuration.cataloguePath
        guard FileManager.default.fileExists(atPath: path) else {
            logger.notice("no catalogue file; serving an empty catalogue", metadata: ["path": "\(path)"])
            return (.empty, [:], false)
        }
        do {
            let store = try CatalogueStore.open(path: path, create: false)
            let catalogue = try store.loadCatalogue()
            let listeners = ListenerProfile.build(from: try store.allListens(), catalogue: catalogue)
            return (catalogue, listeners, true)
        } catch {
            throw ReloadError("catalogue \(path): \(error)")
        }
    }

    private func loadSnapshot(_ configuration: DaemonConfiguration, logger: Logger) throws(ReloadError) -> Snapshot? {
        let path = configuration.snapshotPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            logger.notice("no snapshot; scorers that need one are not ready", metadata: ["path": "\(path)"])
            return nil
        }
        do {
            return try SnapshotReader.read(at: path)
        } catch {
            throw ReloadError(error.description)
        }
    }
}

/// Why a state could not be built; the old state keeps serving.
public struct ReloadError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
