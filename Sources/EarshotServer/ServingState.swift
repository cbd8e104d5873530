import EarshotPlugins
import EarshotScoring
import Foundation

/// Everything a request reads, built whole at start and at each reload and
/// never mutated: requests in flight keep the state they started with.
public final class ServingState: Sendable {
    public let configuration: DaemonConfiguration
    public let catalogue: TrackCatalogue
    public let catalogueStatus: CatalogueStatus
    public let snapshotStatus: SnapshotStatus?
    /// Scorers in registry order.
    public let scorers: [ScorerSlot]
    /// Each user's stored listens, as they were when the state was built.
    public let listeners: [String: ListenerProfile]
    /// The configured plugin files and what became of each.
    public let plugins: [PluginReport]
    /// Users whose data was deleted (`forget`), and when, as stored.
    public let forgotten: [String: Date]
    /// The snapshot's read-only file mappings the scorers serve from.
    let mappedFiles: [ByteRegion]

    init(
        configuration: DaemonConfiguration, catalogue: TrackCatalogue, catalogueStatus: CatalogueStatus,
        snapshotStatus: SnapshotStatus?, scorers: [ScorerSlot], listeners: [String: ListenerProfile],
        plugins: [PluginReport] = [], forgotten: [String: Date] = [:], mappedFiles: [ByteRegion] = []
    ) {
        self.plugins = plugins
        self.forgotten = forgotten
        self.mappedFiles = mappedFiles
        self.configuration = configuration
        self.catalogue = catalogue
        self.catalogueStatus = catalogueStatus
        self.snapshotStatus = snapshotStatus
        self.scorers = scorers
        self.listeners = listeners
    }

    /// Called once this state is replaced: its mapped pages may leave the
    /// resident set at once (requests still using it read them back from the
    /// page cache), so two snapshots are not resident side by side.
    func retire() {
        for file in mappedFiles { file.retire() }
    }

    func scorer(named name: String) -> ScorerSlot? {
        scorers.first { $0.name == name }
    }
}

public struct CatalogueStatus: Sendable {
    public let path: String
    /// False when no catalogue file existed and the catalogue is empty.
    public let exists: Bool
    public let loadedAt: Date
}

public struct SnapshotStatus: Sendable {
    public let id: String
    public let createdAt: String
    public let path: String
    public let resolvedPath: String
    public let loadedAt: Date
    /// Snapshot items (over all parts) that the catalogue does not have.
    public let unmatchedItems: Int
}

/// One scorer as the daemon holds it: loaded, or why not.
public struct ScorerSlot: Sendable {
    public let name: String
    public let summary: String
    public let model: ReadyScorer?
    /// Why the scorer cannot serve, when `model` is nil.
    public let notReadyReason: String?
    /// A plugin's own version; `nil` for built-in scorers.
    public var version: String? = nil
    /// The plugin file it came from; `nil` for built-in scorers.
    public var origin: String? = nil
}

/// A loaded scorer and the mapping from its items to catalogue rows.
public struct ReadyScorer: Sendable {
    public let scorer: any LoadedScorer
    /// Catalogue row of each scorer item, -1 where the catalogue lacks it.
    public let rowOfItem: [Int32]
    /// Scorer item of each catalogue row, -1 where the scorer lacks it.
    public let itemOfRow: [Int32]
    /// Each item's song and artist, for the rules applied in the scan; nil
    /// when no item is in the catalogue (no rule can apply).
    let rules: CandidateRules?
    /// Identifies this loaded model: requests share a pass only on the same one.
    let batchKey = BatchKey()

    init(scorer: any LoadedScorer, catalogue: TrackCatalogue) {
        self.scorer = scorer
        var itemOfRow = [Int32](repeating: -1, count: catalogue.count)
        guard catalogue.count > 0 else {
            rowOfItem = [Int32](repeating: -1, count: scorer.itemIDs.count)
            self.itemOfRow = []
            rules = nil
            return
        }
        let ids = scorer.itemIDs
        if ids.count == catalogue.count, ids.indices.allSatisfy({ ids[$0] == catalogue.tracks[$0].id }) {
            // Items are the catalogue's rows in order (content, popular, most
            // plugins): no lookup per item, which is most of a reload's time.
            rowOfItem = Array(0..<Int32(ids.count))
            self.itemOfRow = rowOfItem
        } else {
            rowOfItem = ids.enumerated().map { item, id in
                guard let row = catalogue.row(of: id) else { return -1 }
                itemOfRow[Int(row)] = Int32(item)
                return row
            }
            self.itemOfRow = itemOfRow
        }
        rules = CandidateRules.catalogue(catalogue, rowOfItem: rowOfItem)
    }

    var unmatchedItems: Int { rowOfItem.lazy.filter { $0 < 0 }.count }
}
