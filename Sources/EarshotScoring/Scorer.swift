/// A scorer plugin: turns a listener (a user and/or a history) into scores
/// over its items.
///
/// A plugin is a type the daemon links; `load(_:)` builds its immutable
/// model from the catalogue and the snapshot at start and at every reload,
/// off the I/O threads. The loaded model is shared by all requests.
public protocol ScorerPlugin: Sendable {
    /// The name clients use in `scorer` and the config in `[scorers] enabled`.
    static var name: String { get }
    /// One line for `scorers`.
    static var summary: String { get }
    /// Builds the model, or explains why this scorer cannot serve.
    static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer
}

/// What a plugin may read while loading.
public struct ScorerLoadContext: Sendable {
    public let catalogue: TrackCatalogue
    /// This scorer's part of the snapshot, `nil` when the snapshot has none.
    public let part: SnapshotPart?
    /// The `[scorer.<name>]` table of the config, as strings.
    public let settings: [String: String]
    /// The scorers loaded before this one in the same load (for blends).
    public var sources: ScorerSources = .none
    /// The folder of this scorer's snapshot part, when the snapshot has one.
    public var partFolder: String?

    public init(catalogue: TrackCatalogue, part: SnapshotPart?, settings: [String: String] = [:]) {
        self.catalogue = catalogue
        self.part = part
        self.settings = settings
    }
}

/// Why a scorer has no model: served as `not_ready` with this message.
public struct ScorerLoadError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A loaded, immutable model.
///
/// Items are addressed by a dense index into `itemIDs`. The daemon maps
/// them to catalogue rows once per load and passes an `exclusion` (already
/// in item space) so that filtered items never enter the top-k heap.
public protocol LoadedScorer: Sendable {
    /// Model facts for `scorers` (`dims`, `items`, …).
    var facts: [String: Int] { get }
    /// The model's item ids, row-aligned with its item vectors.
    var itemIDs: IDList { get }
    /// The item index of a catalogue id, if the model knows it.
    func item(of id: String) -> Int32?

    /// The best `k` items for a listener, highest score first.
    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    /// The same, with the request's say in the search (an ANN index's `ef`,
    /// or the exact scan); scorers without an index ignore it.
    func recommend(
        for listener: Listener, k: Int, excluding exclusion: ItemExclusion, search: SearchOptions
    ) throws(ScoringError) -> [ScoredItem]
    /// The best `k` items for seed items, highest score first.
    func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem]
    /// Scores for the given items, in order.
    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float]
    /// The listener looked at once, for several `recommend` and `score`
    /// calls (a default passes each call through).
    func prepared(for listener: Listener) throws(ScoringError) -> any PreparedListener
    /// Items the user had in the model's training data, so "heard" filtering
    /// works even when the catalogue has no listens for that user.
    func trainingItems(of user: String) -> [Int32]

    /// How many requests one pass may share (`ScoringPass`); 1: none.
    var batchLimit: Int { get }
    /// Whether `request` may share a pass with others (a request answered
    /// from an ANN index, for instance, is a walk of its own).
    func sharesPass(_ request: ScoringRequest) -> Bool
    /// The work for `requests` (at most `batchLimit` of them, or one), cut
    /// into slices for `workers` threads, with `rules` applied in the scan.
    func pass(for requests: [ScoringRequest], workers: Int) -> any ScoringPass
}

extension LoadedScorer {
    /// Models built without per-user training data know no training items.
    public func trainingItems(of user: String) -> [Int32] { [] }

    /// Models without an index have nothing to choose.
    public func recommend(
        for listener: Listener, k: Int, excluding exclusion: ItemExclusion, search: SearchOptions
    ) throws(ScoringError) -> [ScoredItem] {
        try recommend(for: listener, k: k, excluding: exclusion)
    }
}

/// A listener as a scorer sees it.
public struct Listener: Sendable {
    /// The user's name when the request named one.
    public var user: String?
    /// Items the listener played (from the store and the request), with weights;
    /// only items this scorer knows.
    public var history: [WeightedItem]

    public init(user: String?, history: [WeightedItem]) {
        self.user = user
        self.history = history
    }
}

public struct WeightedItem: Sendable, Equatable {
    public var item: Int32
    public var weight: Float

    public init(item: Int32, weight: Float) {
        self.item = item
        self.weight = weight
    }
}

/// A request-level failure inside a scorer, mapped to the protocol's codes.
public enum ScoringError: Error, Sendable, Equatable {
    /// The user is unknown to the model and no usable history was given.
    case unknownUser(String)
    /// No seed or history item is known to this model.
    case noKnownItems
    /// A scorer loaded from a plugin file failed; its own words.
    case scorerFailed(String)
}
