import Foundation

/// The HetRec 2011 Last.fm `artists.dat`: `id<TAB>name<TAB>url<TAB>pictureURL`
/// with a header line; names by artist id.
public enum LastFMArtists {
    public static func read(_ path: String) throws(TrainingError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .cannotRead(path: path, reason: reason)
        }
        // UTF-8 as shipped; Latin-1 if a copy was re-encoded.
        let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
        var names: [String: String] = [:]
        for (number, line) in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard number > 0 else { continue }
            guard fields.count >= 2, !fields[0].isEmpty else {
                throw .cannotRead(path: "\(path):\(number + 1)", reason: "expected id<TAB>name after the header line")
            }
            names[String(fields[0])] = String(fields[1])
        }
        return names
    }
}
