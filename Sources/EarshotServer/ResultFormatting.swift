import EarshotProtocol
import EarshotScoring

/// Turns catalogue rows into the `items` objects of responses.
enum ResultFormatting {
    /// `{"track","score","name","artists","album","genre","genres"}`; id and score
    /// only for items the catalogue lacks (a snapshot trained elsewhere).
    static func item(id: String, row: Int32, score: Float?, catalogue: TrackCatalogue) -> JSONValue {
        var object: JSONObject = ["track": .string(id)]
        if let score { object["score"] = .double(Double(score)) }
        guard row >= 0 else { return .object(object) }
        let track = catalogue.tracks[Int(row)]
        object["name"] = .string(track.name)
        object["artists"] = .array(track.artists.map(JSONValue.string))
        object["album"] = .string(track.album)
        object["genre"] = track.genres.first.map(JSONValue.string) ?? .null
        object["genres"] = .array(track.genres.map(JSONValue.string))
        return .object(object)
    }
}
