import Foundation

/// Tag assignments of items, the features of the two-tower candidate tower:
/// Last.fm user tags (`user_taggedartists.dat`), or catalogue genres.
public struct TwoTowerItemTags: Sendable {
    /// One tag given to one item, by a user (Last.fm) or by the catalogue (`user` nil).
    public struct Assignment: Sendable, Equatable {
        public var user: String?
        public var item: String
        public var tag: String

        public init(user: String?, item: String, tag: String) {
            self.user = user
            self.item = item
            self.tag = tag
        }
    }

    public let assignments: [Assignment]
    /// Assignments the file had on excluded (held-out) pairs, left out.
    public let excludedCount: Int

    public init(assignments: [Assignment], excludedCount: Int = 0) {
        self.assignments = assignments
        self.excludedCount = excludedCount
    }

    /// Reads a Last.fm `user_taggedartists.dat` file (a header line, then
    /// `userID<TAB>artistID<TAB>tagID<TAB>day<TAB>month<TAB>year`), leaving
    /// out every row whose (userID, artistID) pair is in `excluded`.
    public static func read(lastFMTags path: String, excluding excluded: TwoTowerExcludedPairs) throws(TrainingError)
        -> TwoTowerItemTags
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .cannotRead(path: path, reason: reason)
        }
        var assignments: [Assignment] = []
        var dropped = 0
        let text = String(decoding: data, as: UTF8.self)
        // "\r\n" is one Character in a Swift String: split on both line ends.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (number, line) in lines.enumerated() {
            let row = line.hasSuffix("\r") ? line.dropLast() : line
            guard number > 0, !row.isEmpty else { continue }
            let fields = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, !fields[1].isEmpty, !fields[2].isEmpty else {
                throw .cannotRead(
                    path: "\(path):\(number + 1)",
                    reason: "expected userID<TAB>artistID<TAB>tagID<TAB>day<TAB>month<TAB>year after the header line")
            }
            let user = String(fields[0])
            let item = String(fields[1])
            if excluded.contains(user: user, item: item) {
                dropped += 1
                continue
            }
            assignments.append(Assignment(user: user, item: item, tag: String(fields[2])))
        }
        return TwoTowerItemTags(assignments: assignments, excludedCount: dropped)
    }
}
