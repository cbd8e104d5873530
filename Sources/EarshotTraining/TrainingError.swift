/// Why training or evaluation cannot go on. The description is one line
/// that names the file or option and says what to do.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case badLine(path: String, line: Int, reason: String)
    case noInteractions(path: String)
    case invalidOption(name: String, reason: String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): "cannot read \(path): \(reason)"
        case .badLine(let path, let line, let reason):
            "\(path):\(line): \(reason) (expected user<TAB>item<TAB>weight with a weight > 0)"
        case .noInteractions(let path): "\(path) has no interactions (expected a header and user<TAB>item<TAB>weight lines)"
        case .invalidOption(let name, let reason): "--\(name): \(reason)"
        }
    }
}
