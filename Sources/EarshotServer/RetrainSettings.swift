/// The `[retrain]` table of the config file (see config/earshot.toml).
public struct RetrainSettings: Sendable, Equatable {
    /// Largest ndcg@10 drop on the held-out plays a new model may have and still be promoted.
    public var margin = 0.01
    /// Megabytes to leave free on the snapshot folder's file system.
    public var minimumFreeMegabytes = 100
    /// Snapshots `earshot retrain` keeps afterwards (`snapshot gc --keep`), besides the current and served ones.
    public var keep = 5

    public init() {}
}
