/// Why a snapshot cannot be used. The description is one line saying what
/// is wrong and with which file, so it can go straight into `info` and the
/// systemd status.
public enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingManifest(path: String)
    case badManifest(path: String, reason: String)
    case missingFile(file: String)
    case sizeMismatch(file: String, expected: Int, found: Int)
    case checksumMismatch(file: String)
    case badTensor(file: String, reason: String)
    case badIDList(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingManifest(let path): "no manifest.json in snapshot \(path)"
        case .badManifest(let path, let reason): "snapshot manifest \(path) is invalid: \(reason)"
        case .missingFile(let file): "snapshot file \(file) is missing"
        case .sizeMismatch(let file, let expected, let found):
            "snapshot file \(file) has \(found) bytes, the manifest says \(expected) (truncated or replaced?)"
        case .checksumMismatch(let file): "snapshot file \(file) does not match its SHA-256 in the manifest"
        case .badTensor(let file, let reason): "snapshot tensor \(file): \(reason)"
        case .badIDList(let file, let reason): "snapshot id list \(file): \(reason)"
        }
    }
}
