extension CatalogueStore {
    /// Track ids matching `text` in their name, artists or album, best first.
    ///
    /// Every word must match; the last one may be the start of a word, so
    /// results follow the user's typing. Ranking is FTS5's bm25 with a name
    /// match weighing most, then artists, then album; ties go to the more
    /// popular track. Accents and case do not matter ("beyonce" finds
    /// "Beyoncé"). The text is never interpreted as FTS5 syntax, so any input
    /// is safe; text with no letters or digits finds nothing.
    public func search(_ text: String, limit: Int) throws -> [String] {
        guard limit > 0, let query = Self.ftsQuery(text) else { return [] }
        let statement = try database.prepare(
            """
            SELECT track_id FROM tracks_fts
            WHERE tracks_fts MATCH ?1
            ORDER BY bm25(tracks_fts, 3.0, 2.0, 1.0, 0.0, 0.0), popularity DESC, track_id
            LIMIT ?2
            """)
        try statement.bind(query, at: 1)
        try statement.bind(limit, at: 2)
        var ids: [String] = []
        while try statement.step() {
            ids.append(statement.string(at: 0))
        }
        return ids
    }

    /// User text as an FTS5 query of quoted strings: `AC/DC "live` becomes
    /// `"AC/DC" """live"*`. Inside double quotes FTS5 reads no operators
    /// (`NOT`, `(`, `:`, `*`), and a doubled quote is a literal one. Words
    /// without a letter or digit are dropped: they cannot match a token.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace)
            .filter { $0.contains { $0.isLetter || $0.isNumber } }
        guard !words.isEmpty else { return nil }
        let quoted = words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return quoted.joined(separator: " ") + "*"
    }

    /// Rebuilds the search index from the tables; importers call it inside
    /// their transaction so that the index always matches the catalogue.
    func rebuildSearchIndex() throws {
        try database.execute("DELETE FROM tracks_fts;\n" + CatalogueSchema.searchIndexFill)
    }
}
