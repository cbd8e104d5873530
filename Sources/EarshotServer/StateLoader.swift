import EarshotCatalogue
import EarshotPlugins
import EarshotScoring
import EarshotSnapshot
import Foundation
import Logging
import Synchronization

/// Builds a complete `ServingState` from what the configuration points at.
/// Blocking (SQLite, file reads, model building): call it off the I/O threads.
struct StateLoader: Sendable {
    let registry: ScorerRegistry
    /// Snapshot files already hashed, so reloading an unchanged snapshot skips the hashing.
    let verified = VerifiedFiles()
    /// The catalogue last loaded, kept while its file and revision are unchanged.
    let catalogues = CatalogueCache()

    func load(_ configuration: DaemonConfiguration, logger: Logger) throws(ReloadError) -> ServingState {
        let now = Date()
        let loadedCatalogue = try loadCatalogue(configuration, logger: logger)
        let catalogue = loadedCatalogue.catalogue
        let snapshot = try loadSnapshot(configuration, logger: logger)
        var slots: [ScorerSlot] = []
        var unmatched = 0
        let (registry, plugins) = PluginLoader.register(
            PluginLoader.files(paths: configuration.pluginPaths, folder: configuration.pluginFolder), in: self.registry)
        for report in plugins where report.error != nil {
            logger.error("plugin not loaded: \(report.error ?? "")", metadata: ["plugin": "\(report.path)"])
        }
        let loaded = LoadedScorers()
        for scorer in registry.scorers {
            let name = scorer.name
            // A listed plugin file is enabled by being listed.
            guard scorer.origin != nil || configuration.enabledScorers.isEmpty
                || configuration.enabledScorers.contains(name)
            else { continue }
            var context = ScorerLoadContext(
                catalogue: catalogue, part: snapshot?.parts[name], settings: configuration.scorerSettings[name] ?? [:])
            context.sources = ScorerSources { loaded.scorer(named: $0) }
            context.partFolder = snapshot.map { $0.resolvedPath + "/" + name }
            func slot(_ model: ReadyScorer?, _ reason: String?) -> ScorerSlot {
                ScorerSlot(
                    name: name, summary: scorer.summary, model: model, notReadyReason: reason, version: scorer.version,
                    origin: scorer.origin)
            }
            do {
                let model = ReadyScorer(scorer: try scorer.load(context), catalogue: catalogue)
                if snapshot?.parts[name] != nil {
                    let misses = model.unmatchedItems
                    if catalogue.count > 0, misses == model.rowOfItem.count, misses > 0 {
                        throw ReloadError(
                            "snapshot part \(name) shares no item id with the catalogue (\(catalogue.count) tracks); was it trained on another catalogue?")
                    }
                    unmatched += misses
                }
                loaded.add(name, model.scorer)
                slots.append(slot(model, nil))
            } catch let error as ScorerLoadError {
                logger.notice("scorer not ready", metadata: ["scorer": "\(name)", "reason": "\(error)"])
                slots.append(slot(nil, error.description))
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
            catalogueStatus: CatalogueStatus(
                path: configuration.cataloguePath, exists: loadedCatalogue.exists, loadedAt: loadedCatalogue.loadedAt ?? now),
            snapshotStatus: snapshotStatus, scorers: slots, listeners: loadedCatalogue.listeners, plugins: plugins,
            forgotten: loadedCatalogue.forgotten, mappedFiles: snapshot?.mappedFiles ?? [])
    }

    /// What a state takes from the catalogue file.
    private struct LoadedCatalogue {
        var catalogue: TrackCatalogue = .empty
        /// When its tracks were read (nil: no file).
        var loadedAt: Date?
        var listeners: [String: ListenerProfile] = [:]
        var forgotten: [String: Date] = [:]
        var exists = false
    }

    private func loadCatalogue(_ configuration: DaemonConfiguration, logger: Logger) throws(ReloadError) -> LoadedCatalogue {
        let path = configuration.cataloguePath
        guard FileManager.default.fileExists(atPath: path) else {
            logger.notice("no catalogue file; serving an empty catalogue", metadata: ["path": "\(path)"])
            return LoadedCatalogue()
        }
        do {
            let store = try CatalogueStore.open(path: path, create: false)
            let (catalogue, loadedAt) = try catalogues.catalogue(at: path, in: store)
            return LoadedCatalogue(
                catalogue: catalogue, loadedAt: loadedAt,
                listeners: ListenerProfile.build(from: try store.allListens(), catalogue: catalogue),
                forgotten: try store.forgottenUsers(), exists: true)
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
            return try SnapshotReader.read(at: path, verified: verified)
        } catch {
            throw ReloadError(error.description)
        }
    }
}

/// The scorers loaded so far in one state load: a blend's sources.
private final class LoadedScorers: Sendable {
    private let models = Mutex<[String: any LoadedScorer]>([:])

    func add(_ name: String, _ scorer: any LoadedScorer) { models.withLock { $0[name] = scorer } }

    func scorer(named name: String) -> (any LoadedScorer)? { models.withLock { $0[name] } }
}

/// Why a state could not be built; the old state keeps serving.
public struct ReloadError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
