import Foundation

/// `manifest.json` of a snapshot directory (docs/SNAPSHOTS.md).
public struct Manifest: Codable, Sendable, Equatable {
    public static let formatName = "earshot-snapshot"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var id: String
    public var createdAt: String
    /// The catalogue the snapshot was trained against (`TrackCatalogue.fingerprint`), if any.
    public var catalogueFingerprint: String?
    /// Each scorer part by its directory name (`mf`, `two-tower`).
    public var scorers: [String: Part]
    /// Every file by its path relative to the snapshot.
    public var files: [String: FileEntry]

    public struct Part: Codable, Sendable, Equatable {
        public var kind: String
        public var hyperparameters: [String: Double]
        /// Counts describing the training data (users, items, interactions).
        public var training: [String: Int]

        public init(kind: String, hyperparameters: [String: Double] = [:], training: [String: Int] = [:]) {
            self.kind = kind
            self.hyperparameters = hyperparameters
            self.training = training
        }
    }

    public struct FileEntry: Codable, Sendable, Equatable {
        public var size: Int
        public var sha256: String

        public init(size: Int, sha256: String) {
            self.size = size
            self.sha256 = sha256
        }
    }

    public init(
        id: String, createdAt: String, catalogueFingerprint: String?, scorers: [String: Part],
        files: [String: FileEntry]
    ) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.id = id
        self.createdAt = createdAt
        self.catalogueFingerprint = catalogueFingerprint
        self.scorers = scorers
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case format, version, id, scorers, files
        case createdAt = "created_at"
        case catalogueFingerprint = "catalogue_fingerprint"
    }
}
