import Foundation

/// (user, item) pairs whose tag assignments must not reach the model: the
/// held-out pairs of an evaluation (a test listen must not leak into an
/// item's tags through the tag its listener gave it).
public struct TwoTowerExcludedPairs: Sendable {
    private var pairs: Set<String> = []

    public init() {}

    /// The number of distinct pairs.
    public var count: Int { pairs.count }

    public mutating func insert(user: String, item: String) {
        pairs.insert(Self.key(user: user, item: item))
    }

    public func contains(user: String, item: String) -> Bool {
        pairs.contains(Self.key(user: user, item: item))
    }

    private static func key(user: String, item: String) -> String { user + "\t" + item }

    /// Adds the pairs of a `user<TAB>item[<TAB>…]` file with a header line
    /// (an interactions TSV such as `test.tsv`).
    public mutating func read(tsv path: String) throws(TrainingError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .cannotRead(path: path, reason: reason)
        }
        // "\r\n" is one Character in a Swift String: split on both line ends.
        let lines = String(decoding: data, as: UTF8.self)
            .split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (number, line) in lines.enumerated() {
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            guard number > 0, !text.isEmpty else { continue }
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .cannotRead(path: "\(path):\(number + 1)", reason: "expected user<TAB>item after the header line")
            }
            insert(user: String(fields[0]), item: String(fields[1]))
        }
    }
}
