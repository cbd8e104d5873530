/// Accepts the ways people paste a track: a bare id, a `spotify:track:` URI
/// or an `open.spotify.com/track/` link (with or without a query string).
public enum TrackReference {
    /// The bare catalogue id, or `nil` for empty or malformed input.
    public static func id(from text: String) -> String? {
        var id = Substring(text)
        if id.hasPrefix("spotify:") {
            guard id.hasPrefix("spotify:track:") else { return nil }
            id = id.dropFirst("spotify:track:".count)
        } else if let range = id.range(of: "open.spotify.com/"),
            id.hasPrefix("https://") || id.hasPrefix("http://") || id.hasPrefix("open.spotify.com/")
        {
            var path = id[range.upperBound...]
            // Localized links look like open.spotify.com/intl-de/track/<id>.
            if path.hasPrefix("intl-"), let slash = path.firstIndex(of: "/") {
                path = path[path.index(after: slash)...]
            }
            guard path.hasPrefix("track/") else { return nil }
            id = path.dropFirst("track/".count)
            if let end = id.firstIndex(where: { $0 == "?" || $0 == "#" || $0 == "/" }) {
                id = id[..<end]
            }
        }
        guard !id.isEmpty, id.utf8.count <= 256,
            id.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return nil }
        return String(id)
    }
}
