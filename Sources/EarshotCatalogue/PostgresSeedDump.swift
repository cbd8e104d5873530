/// The seed tables (`track`, `audio_features`, `artist`) as read from a
/// plain-SQL `pg_dump`, before they are written to the catalogue.
///
/// Only the `COPY <schema>.<table> (<columns>) FROM stdin;` … `\.` blocks of
/// those tables are read; all other SQL is passed over. Columns are found by
/// name, so their order and any extra columns do not matter. Rows that cannot
/// be read become problems with their line.
struct PostgresSeedDump {
    struct Track {
        var line: Int
        var id: String
        var name: String
        var album: String
        var artistIDs: [String]
        var popularity: Int
        var durationMs: Int
        var explicit: Bool
    }

    struct Artist {
        var name: String
        var genres: [String]
    }

    struct Features {
        var line: Int
        /// In `SpotifyTracksColumn.features` order; `nil` when any is NULL.
        var values: [Double]?
    }

    /// Readable rows of table `track`, in file order.
    var tracks: [Track] = []
    /// Artists by id.
    var artists: [String: Artist] = [:]
    /// Audio features by track id.
    var features: [String: Features] = [:]
    /// Data rows of table `track`, readable or not.
    var trackRows = 0
    /// Unreadable rows of table `track`, each with a problem.
    var skippedTrackRows = 0
    /// Unreadable rows of every table.
    var problems: [ImportProblem] = []

    /// Reads the dump at `path`.
    static func read(atPath path: String) throws -> PostgresSeedDump {
        var reader = Reader(path: path)
        try CatalogueFileReader.forEachLine(ofFileAt: path) { line, number in
            try reader.consume(line, number: number)
        }
        if let block = reader.block {
            throw PostgresDumpError.unterminatedCopy(path: path, line: block.line, table: block.table)
        }
        guard reader.sawTrackTable else { throw PostgresDumpError.missingTable(path: path, table: "track") }
        return reader.dump
    }
}

/// The state of reading a dump line by line.
private struct Reader {
    /// A `COPY` data block being read.
    struct Block {
        let table: String
        let line: Int
        /// `nil` for a table the importer does not read.
        let layout: Layout?
    }

    enum Layout {
        case track(TrackColumns)
        case features(FeatureColumns)
        case artist(ArtistColumns)
    }

    let path: String
    var dump = PostgresSeedDump()
    var block: Block?
    var sawTrackTable = false

    init(path: String) {
        self.path = path
    }

    mutating func consume(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws {
        guard let block else {
            if number == 1, line.starts(with: "PGDMP".utf8) { throw PostgresDumpError.customFormat(path: path) }
            guard line.starts(with: "COPY ".utf8) else { return }
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasSuffix(" FROM stdin;") else { return }  // not a data block
            self.block = try openBlock(text, line: number)
            return
        }
        if line.elementsEqual("\\.".utf8) {
            self.block = nil
            return
        }
        guard let layout = block.layout else { return }
        do throws(RowRejection) {
            let fields = try PostgresCopyText.fields(of: line)
            switch layout {
            case let .track(columns):
                dump.trackRows += 1
                dump.tracks.append(try columns.track(fields, line: number))
            case let .features(columns):
                let (trackID, values) = try columns.features(fields)
                dump.features[trackID] = PostgresSeedDump.Features(line: number, values: values)
            case let .artist(columns):
                let (id, artist) = try columns.artist(fields)
                dump.artists[id] = artist
            }
        } catch {
            if case .track = layout { dump.skippedTrackRows += 1 }
            dump.problems.append(ImportProblem(line: number, reason: "\(block.table): \(error.reason)"))
        }
    }

    private mutating func openBlock(_ header: String, line: Int) throws -> Block {
        guard let (table, names) = Self.parseHeader(header) else {
            throw PostgresDumpError.unreadableCopyHeader(path: path, line: line, found: header)
        }
        let columns = Columns(names: names, path: path, line: line, table: table)
        let layout: Layout?
        switch table {
        case "track", "tracks":
            sawTrackTable = true
            layout = .track(try TrackColumns(columns))
        case "audio_features":
            layout = .features(try FeatureColumns(columns))
        case "artist", "artists":
            layout = .artist(try ArtistColumns(columns))
        default:
            layout = nil
        }
        return Block(table: table, line: line, layout: layout)
    }

    /// The table (without its schema) and column names of `COPY schema.table (a, b) FROM stdin;`.
    static func parseHeader(_ header: String) -> (String, [String])? {
        var rest = header.dropFirst("COPY ".count).dropLast(" FROM stdin;".count)[...]
        var table = ""
        repeat {
            guard let name = identifier(&rest) else { return nil }
            table = name
        } while rest.popFirst() == "."
        // popFirst took the space before the column list.
        guard rest.popFirst() == "(", rest.popLast() == ")" else { return nil }
        var columns: [String] = []
        repeat {
            rest = rest.drop(while: \.isWhitespace)
            guard let column = identifier(&rest) else { return nil }
            columns.append(column)
        } while rest.popFirst() == ","
        return rest.isEmpty ? (table, columns) : nil
    }

    /// Reads a quoted (`"Name ""x"""`) or plain identifier from the start of
    /// `text`; a plain one is folded to lower case, as PostgreSQL does.
    private static func identifier(_ text: inout Substring) -> String? {
        if text.first == "\"" {
            text.removeFirst()
            var name = ""
            while let character = text.popFirst() {
                if character == "\"" {
                    guard text.first == "\"" else { return name }
                    text.removeFirst()
                }
                name.append(character)
            }
            return nil
        }
        let name = text.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" }
        guard !name.isEmpty else { return nil }
        text.removeFirst(name.count)
        return name.lowercased()
    }
}

/// The column names of one `COPY` header, for looking columns up by name.
private struct Columns {
    let names: [String]
    let path: String
    let line: Int
    let table: String

    /// The position of the first of `aliases` present, or `nil`.
    func optional(_ aliases: String...) -> Int? {
        aliases.lazy.compactMap { names.firstIndex(of: $0) }.first
    }

    /// The position of the first of `aliases` present; an error naming them when none is.
    func required(_ aliases: String...) throws -> Int {
        guard let index = aliases.lazy.compactMap({ names.firstIndex(of: $0) }).first else {
            throw PostgresDumpError.missingColumn(
                path: path, line: line, table: table, column: aliases.joined(separator: " or "), found: names)
        }
        return index
    }

    /// Checks that a row has one field per column.
    func check(_ fields: [String?]) throws(RowRejection) {
        guard fields.count == names.count else {
            throw RowRejection(reason: "expected \(names.count) fields, found \(fields.count)")
        }
    }
}

/// `track`: `id` (or `track_id`) and `name` (or `track_name`) are required;
/// `album` (`album_name`), `artist_ids`, `popularity`, `duration_ms` and
/// `explicit` are optional. Missing or NULL values read as "", no artists, 0, 0
/// and false: the catalogue allows empty names, as the CSV dataset has them.
private struct TrackColumns {
    let columns: Columns
    let id: Int
    let name: Int
    let album: Int?
    let artistIDs: Int?
    let popularity: Int?
    let durationMs: Int?
    let explicit: Int?

    init(_ columns: Columns) throws {
        self.columns = columns
        id = try columns.required("id", "track_id")
        name = try columns.required("name", "track_name")
        album = columns.optional("album", "album_name")
        artistIDs = columns.optional("artist_ids")
        popularity = columns.optional("popularity")
        durationMs = columns.optional("duration_ms")
        explicit = columns.optional("explicit")
    }

    func track(_ fields: [String?], line: Int) throws(RowRejection) -> PostgresSeedDump.Track {
        try columns.check(fields)
        guard let id = fields[id], !id.isEmpty else { throw RowRejection(reason: "id: empty or NULL") }
        func value(_ index: Int?) -> String? { index.flatMap { fields[$0] } }
        var track = PostgresSeedDump.Track(
            line: line, id: id, name: value(name) ?? "", album: value(album) ?? "", artistIDs: [], popularity: 0,
            durationMs: 0, explicit: false)
        if let text = value(artistIDs) { track.artistIDs = try PostgresValue.array(text, column: "artist_ids") }
        if let text = value(popularity) { track.popularity = try PostgresValue.integer(text, column: "popularity") }
        if let text = value(durationMs) { track.durationMs = try PostgresValue.integer(text, column: "duration_ms") }
        if let text = value(explicit) { track.explicit = try PostgresValue.boolean(text, column: "explicit") }
        return track
    }
}

/// `audio_features`: `track_id` (or `id`) and the twelve features, named as
/// in the Spotify Web API (`danceability` … `time_signature`), all required.
private struct FeatureColumns {
    let columns: Columns
    let trackID: Int
    /// In `SpotifyTracksColumn.features` order.
    let features: [Int]

    init(_ columns: Columns) throws {
        self.columns = columns
        trackID = try columns.required("track_id", "id")
        features = try SpotifyTracksColumn.features.map { try columns.required($0.name) }
    }

    func features(_ fields: [String?]) throws(RowRejection) -> (String, [Double]?) {
        try columns.check(fields)
        guard let trackID = fields[trackID], !trackID.isEmpty else {
            throw RowRejection(reason: "track_id: empty or NULL")
        }
        var values: [Double] = []
        var complete = true
        for (column, index) in zip(SpotifyTracksColumn.features, features) {
            guard let text = fields[index] else {
                complete = false
                continue
            }
            values.append(
                column.isIntegerFeature
                    ? Double(try PostgresValue.integer(text, column: column.name))
                    : try PostgresValue.real(text, column: column.name))
        }
        // The content scorer needs all twelve: a track with some NULL has none.
        return (trackID, complete ? values : nil)
    }
}

/// `artist`: `id` (or `artist_id`) and `name` (or `artist_name`) are required,
/// `genres` (a `text[]`) optional; NULL genres and NULL or empty elements are none.
private struct ArtistColumns {
    let columns: Columns
    let id: Int
    let name: Int
    let genres: Int?

    init(_ columns: Columns) throws {
        self.columns = columns
        id = try columns.required("id", "artist_id")
        name = try columns.required("name", "artist_name")
        genres = columns.optional("genres")
    }

    func artist(_ fields: [String?]) throws(RowRejection) -> (String, PostgresSeedDump.Artist) {
        try columns.check(fields)
        guard let id = fields[id], !id.isEmpty else { throw RowRejection(reason: "id: empty or NULL") }
        guard let name = fields[name], !name.isEmpty else { throw RowRejection(reason: "name: empty or NULL") }
        var artist = PostgresSeedDump.Artist(name: name, genres: [])
        if let text = genres.flatMap({ fields[$0] }) { artist.genres = try PostgresValue.array(text, column: "genres") }
        return (id, artist)
    }
}

/// Column values in PostgreSQL's text output form.
private enum PostgresValue {
    static func integer(_ text: String, column: String) throws(RowRejection) -> Int {
        // A seed may store a count or category as real: accept whole numbers written as such.
        if let value = Int(text) { return value }
        if let value = Double(text), value.rounded() == value, abs(value) < 1e15 { return Int(value) }
        throw RowRejection(reason: "\(column): not an integer: \(CatalogueError.quotedExcerpt(text))")
    }

    static func real(_ text: String, column: String) throws(RowRejection) -> Double {
        // PostgreSQL writes NaN and Infinity, which are no feature values.
        guard let value = Double(text), value.isFinite else {
            throw RowRejection(reason: "\(column): not a number: \(CatalogueError.quotedExcerpt(text))")
        }
        return value
    }

    static func boolean(_ text: String, column: String) throws(RowRejection) -> Bool {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: throw RowRejection(reason: "\(column): expected t or f, found \(CatalogueError.quotedExcerpt(text))")
        }
    }

    /// A `text[]` value's non-NULL, non-empty elements.
    static func array(_ text: String, column: String) throws(RowRejection) -> [String] {
        do throws(RowRejection) {
            return try PostgresCopyText.array(text).compactMap { $0 }.filter { !$0.isEmpty }
        } catch {
            throw RowRejection(reason: "\(column): \(error.reason)")
        }
    }
}
